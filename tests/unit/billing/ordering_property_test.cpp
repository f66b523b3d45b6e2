// Property: for every scenario, 200 random delivery orders with random duplicates end in exactly
// the state of in-order delivery (seed printed on failure), and replaying the log from scratch
// (rebuild) gives exactly the state incremental processing gave.

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "billing/access.h"
#include "billing/apply.h"
#include "billing/serialization.h"
#include "billing_test_util.h"

namespace stripehook::billing {
namespace {

using testing::CorpusConfig;
using testing::LoadScenario;
using testing::Scenario;

constexpr int kOrdersPerScenario = 200;

// FNV-1a, so a printed seed reproduces on any standard library.
uint64_t StableHash(const std::string& text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

State ApplyAll(const std::vector<Event>& events, const Config& config) {
  State state;
  for (const Event& event : events) testing::ApplyAndCommit(event, state, config);
  return state;
}

// A shuffled delivery where about a third of the events arrive twice.
std::vector<Event> RandomDelivery(const std::vector<Event>& events, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Event> delivery = events;
  std::bernoulli_distribution duplicate(0.3);
  for (const Event& event : events) {
    if (duplicate(rng)) delivery.push_back(event);
  }
  std::shuffle(delivery.begin(), delivery.end(), rng);
  return delivery;
}

class OrderingPropertyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(OrderingPropertyTest, AnyOrderWithDuplicatesConvergesToInOrderState) {
  Scenario scenario = LoadScenario(GetParam());
  const Config config = CorpusConfig();
  const State expected = ApplyAll(scenario.events, config);
  const std::string expected_json = ToJson(expected);
  const auto& final_state = scenario.expected.at("final").as_object();
  const std::string user(scenario.expected.at("user_id").as_string());
  const int64_t now = final_state.at("now").as_int64();
  const uint64_t base_seed = StableHash(GetParam());
  for (int i = 0; i < kOrdersPerScenario; ++i) {
    const uint64_t seed = base_seed + static_cast<uint64_t>(i);
    const State state = ApplyAll(RandomDelivery(scenario.events, seed), config);
    ASSERT_TRUE(state == expected) << GetParam() << " seed=" << seed << "\nexpected "
                                   << expected_json << "\nactual   " << ToJson(state);
    AccessDecision d = Access(user, state, now, config);
    ASSERT_EQ(d.access, final_state.at("access").as_bool()) << GetParam() << " seed=" << seed;
    ASSERT_EQ(d.reason, final_state.at("reason").as_string()) << GetParam() << " seed=" << seed;
  }
}

TEST_P(OrderingPropertyTest, RebuildFromLogEqualsIncremental) {
  Scenario scenario = LoadScenario(GetParam());
  const Config config = CorpusConfig();
  // Incremental: a shuffled, duplicated delivery, committed event by event.
  const std::vector<Event> delivery = RandomDelivery(scenario.events, 7);
  const State incremental = ApplyAll(delivery, config);
  // Rebuild: the log holds each event once, in the order it was received.
  std::vector<Event> log;
  for (const Event& event : delivery) {
    bool seen =
        std::any_of(log.begin(), log.end(), [&](const Event& e) { return e.id == event.id; });
    if (!seen) log.push_back(event);
  }
  const State rebuilt = ApplyAll(log, config);
  EXPECT_TRUE(rebuilt == incremental);
  EXPECT_EQ(ToJson(rebuilt), ToJson(incremental));
}

// A synthetic history with what the corpus lacks: two past_due episodes, several past_due
// snapshots per episode, same-second ties on one object, refunds and disputes arriving around
// the charges they name.
std::vector<Event> SyntheticHistory() {
  using testing::MakeEvent;
  constexpr int64_t t = 1'800'000'000;
  auto sub = [](const std::string& status, const std::string& price) {
    return testing::SubscriptionObject("sub_s", "cus_s", status, price, t, t + 2'592'000);
  };
  auto invoice = [](const std::string& status, int64_t attempts) {
    return testing::InvoiceObject("in_s", "cus_s", "sub_s", status, attempts);
  };
  return {
      MakeEvent("evt_s01", "customer.created", t, testing::CustomerObject("cus_s", "user_s")),
      MakeEvent("evt_s02", "customer.subscription.created", t + 1, sub("active", "price_team")),
      MakeEvent("evt_s03", "invoice.payment_failed", t + 100, invoice("open", 1)),
      MakeEvent("evt_s04", "customer.subscription.updated", t + 100, sub("past_due", "price_team")),
      MakeEvent("evt_s05", "customer.subscription.updated", t + 200, sub("past_due", "price_team")),
      MakeEvent("evt_s06", "invoice.paid", t + 300, invoice("paid", 2)),
      MakeEvent("evt_s07", "invoice.payment_failed", t + 300, invoice("open", 2)),
      MakeEvent("evt_s08", "customer.subscription.updated", t + 300, sub("active", "price_team")),
      MakeEvent("evt_s09", "customer.subscription.updated", t + 400, sub("past_due", "price_pro")),
      MakeEvent("evt_s10", "customer.subscription.updated", t + 400, sub("past_due", "price_pro")),
      MakeEvent("evt_s11", "customer.subscription.updated", t + 500, sub("past_due", "price_pro")),
      MakeEvent("evt_s12", "charge.succeeded", t + 300,
                testing::ChargeObject("ch_s", "cus_s", 1000, 0, t + 300)),
      MakeEvent("evt_s13", "charge.refunded", t + 600,
                testing::ChargeObject("ch_s", "cus_s", 1000, 1000, t + 300)),
      MakeEvent("evt_s14", "charge.dispute.created", t + 700,
                testing::DisputeObject("dp_s", "ch_s", "needs_response")),
      MakeEvent("evt_s15", "charge.dispute.closed", t + 700,
                testing::DisputeObject("dp_s", "ch_s", "won")),
      MakeEvent("evt_s16", "customer.deleted", t + 800, testing::CustomerObject("cus_s", "user_s")),
      MakeEvent("evt_s17", "customer.updated", t + 800, testing::CustomerObject("cus_s", "user_s")),
  };
}

TEST(SyntheticOrderingPropertyTest, TiesAndEpisodesConvergeInAnyOrder) {
  const Config config = CorpusConfig();
  const std::vector<Event> events = SyntheticHistory();
  const State expected = ApplyAll(events, config);
  const Subscription* sub = expected.Find<Subscription>("sub_s");
  ASSERT_NE(sub, nullptr);
  EXPECT_EQ(sub->status_since, 1'800'000'400);  // first past_due of the second episode
  EXPECT_EQ(expected.Find<Invoice>("in_s")->status, "paid");
  EXPECT_EQ(expected.Find<Dispute>("dp_s")->status, "won");
  EXPECT_TRUE(expected.Find<Customer>("cus_s")->deleted_at.has_value());
  for (int i = 0; i < kOrdersPerScenario; ++i) {
    const uint64_t seed = StableHash("synthetic") + static_cast<uint64_t>(i);
    const State state = ApplyAll(RandomDelivery(events, seed), config);
    ASSERT_TRUE(state == expected)
        << "seed=" << seed << "\nexpected " << ToJson(expected) << "\nactual   " << ToJson(state);
  }
}

// All sixteen users in one state: interleaved, shuffled, duplicated deliveries converge, and
// every user's final access is that user's expected final answer.
TEST(AllScenariosTogetherTest, InterleavedDeliveriesConvergeWithoutCrossTalk) {
  const Config config = CorpusConfig();
  std::vector<Scenario> scenarios;
  std::vector<Event> all;
  for (const std::string& name : testing::ScenarioNames()) {
    scenarios.push_back(LoadScenario(name));
    all.insert(all.end(), scenarios.back().events.begin(), scenarios.back().events.end());
  }
  const State expected = ApplyAll(all, config);
  for (int i = 0; i < 20; ++i) {
    const uint64_t seed = StableHash("all") + static_cast<uint64_t>(i);
    const State state = ApplyAll(RandomDelivery(all, seed), config);
    ASSERT_TRUE(state == expected) << "seed=" << seed;
  }
  for (const Scenario& scenario : scenarios) {
    const auto& final_state = scenario.expected.at("final").as_object();
    AccessDecision d = Access(std::string(scenario.expected.at("user_id").as_string()), expected,
                              final_state.at("now").as_int64(), config);
    EXPECT_EQ(d.access, final_state.at("access").as_bool()) << scenario.name;
    EXPECT_EQ(d.reason, final_state.at("reason").as_string()) << scenario.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, OrderingPropertyTest,
                         ::testing::ValuesIn(testing::ScenarioNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace stripehook::billing
