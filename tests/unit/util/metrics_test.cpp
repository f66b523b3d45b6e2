#include "util/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace stripehook::util {
namespace {

TEST(MetricsTest, RendersCountersWithLabelsHelpAndType) {
  MetricsRegistry r;
  CounterFamily* c = r.Counter("stripehook_things_total", "Things.", {"kind"});
  c->Inc({"a"});
  c->Inc({"a"}, 2);
  c->Inc({"b\"q\\\n"});
  EXPECT_EQ(r.Render(),
            "# HELP stripehook_things_total Things.\n"
            "# TYPE stripehook_things_total counter\n"
            "stripehook_things_total{kind=\"a\"} 3\n"
            "stripehook_things_total{kind=\"b\\\"q\\\\\\n\"} 1\n");
}

TEST(MetricsTest, UnlabelledFamiliesShowZeroBeforeTheFirstUpdate) {
  MetricsRegistry r;
  r.Gauge("stripehook_depth", "Depth.");
  EXPECT_NE(r.Render().find("stripehook_depth 0\n"), std::string::npos);
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithSumAndCount) {
  MetricsRegistry r;
  HistogramFamily* h = r.Histogram("stripehook_latency_seconds", "Latency.", {0.1, 1});
  h->Observe(0.05);
  h->Observe(0.1);  // a bound is inclusive (le)
  h->Observe(0.5);
  h->Observe(7);
  std::string text = r.Render();
  EXPECT_NE(text.find("stripehook_latency_seconds_bucket{le=\"0.1\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("stripehook_latency_seconds_bucket{le=\"1\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("stripehook_latency_seconds_bucket{le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("stripehook_latency_seconds_sum 7.65\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stripehook_latency_seconds_count 4\n"), std::string::npos);
  EXPECT_EQ(h->Count(), 4u);
}

TEST(MetricsTest, ResolvedSeriesCountWithTheirLabelSets) {
  MetricsRegistry r;
  CounterFamily* c = r.Counter("stripehook_things_total", "Things.", {"kind"});
  HistogramFamily* h = r.Histogram("stripehook_latency_seconds", "Latency.", {0.1}, {"route"});
  double* a = c->Resolve({"a"});
  EXPECT_EQ(c->Resolve({"a"}), a);  // the same cell every time
  c->Inc(a);
  c->Inc({"a"}, 2);  // by labels and by cell reach the same value
  c->Inc(a, 4);
  EXPECT_EQ(c->Value({"a"}), 7);
  HistogramFamily::Series* s = h->Resolve({"/x"});
  h->Observe(s, 0.05);
  h->Observe(0.5, {"/x"});
  EXPECT_EQ(h->Count({"/x"}), 2u);
  std::string text = r.Render();
  EXPECT_NE(text.find("stripehook_things_total{kind=\"a\"} 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("stripehook_latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("stripehook_latency_seconds_count{route=\"/x\"} 2\n"), std::string::npos);
}

TEST(MetricsTest, SameNameAndShapeSharesAFamilyAndAClashIsRefused) {
  MetricsRegistry r;
  CounterFamily* a = r.Counter("stripehook_x_total", "X.", {"k"});
  EXPECT_EQ(r.Counter("stripehook_x_total", "X.", {"k"}), a);
  EXPECT_EQ(r.Counter("stripehook_x_total", "X.", {"other"}), nullptr);
  EXPECT_EQ(r.Gauge("stripehook_x_total", "X."), nullptr);
}

TEST(MetricsTest, CallbacksAreEvaluatedAtScrapeTime) {
  MetricsRegistry r;
  double depth = 1;
  ASSERT_TRUE(r.Callback("stripehook_queue", "Queue.", {"q"}, [&] {
    return std::vector<Sample>{{{"main"}, depth}};
  }));
  EXPECT_NE(r.Render().find("stripehook_queue{q=\"main\"} 1\n"), std::string::npos);
  depth = 42;
  EXPECT_NE(r.Render().find("stripehook_queue{q=\"main\"} 42\n"), std::string::npos);
  EXPECT_FALSE(
      r.Callback("stripehook_queue", "Queue.", {"q"}, [] { return std::vector<Sample>{}; }));
}

TEST(MetricsTest, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry r;
  CounterFamily* c = r.Counter("stripehook_n_total", "N.", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10'000; ++i) c->Inc({t % 2 == 0 ? "even" : "odd"});
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(c->Value({"even"}) + c->Value({"odd"}), 40'000);
}

}  // namespace
}  // namespace stripehook::util
