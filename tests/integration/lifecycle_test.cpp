// Every lifecycle scenario of tests/fixtures/lifecycles through the real server over HTTP:
// signed deliveries, the pipeline applying them, and GET /v1/access at each checkpoint's time
// (the service runs on a manual clock moved by POST /testing/clock). Then the same events
// shuffled and duplicated, and `stripehook rebuild` after each run. Each test runs on SQLite and
// on a throwaway PostgreSQL cluster.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "integration/ingest_harness.h"
#include "support/postgres_cluster.h"

namespace stripehook::testing {
namespace {

namespace json = boost::json;
constexpr char kAppKey[] = "app_key_for_lifecycle_tests_0123456789";

struct Scenario {
  std::string name;
  std::vector<std::string> events;  // raw lines, in delivery order
  json::object expected;
};

std::vector<Scenario> LoadScenarios() {
  std::vector<Scenario> out;
  std::string dir = FixturesDir() + "/lifecycles";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string path = entry.path().string();
    if (path.size() < 6 || path.substr(path.size() - 6) != ".jsonl") continue;
    Scenario s;
    s.name = entry.path().stem().string();
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) s.events.push_back(line);
    }
    std::ifstream exp(dir + "/" + s.name + ".expected.json");
    std::stringstream text;
    text << exp.rdbuf();
    s.expected = json::parse(text.str()).as_object();
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return out;
}

std::string Config(int64_t clock_start) {
  return "[testing]\nmanual_clock_start = " + std::to_string(clock_start) +
         "\n[admin]\napp_key = \"" + kAppKey +
         "\"\n[processing]\npoll_interval_ms = 5\n"
         "[plans.pro]\nprices = [\"price_pro\"]\nfeatures = [\"export\"]\n"
         "limits = { seats = 5 }\n"
         "[plans.team]\nprices = [\"price_team\"]\nfeatures = [\"export\", \"sso\"]\n"
         "limits = { seats = 25 }\n"
         "[plans.enterprise]\nprices = [\"price_enterprise\"]\nfeatures = [\"export\", \"sso\"]\n"
         "limits = { seats = 1000 }\n";
}

int64_t CreatedOf(const std::string& line) {
  return json::parse(line).as_object().at("created").as_int64();
}

PostgresCluster* SharedCluster() { return SharedPostgresCluster(); }

class LifecycleTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() != "postgres") return;
    pg_url_ = SharedCluster()->CreateDatabase();
    ASSERT_FALSE(pg_url_.empty()) << SharedCluster()->error();
    fx_.env["DATABASE_URL"] = pg_url_;
  }

  void StartAt(int64_t now) { ASSERT_TRUE(fx_.Start(Config(now))) << fx_.server->ReadLog(); }

  int64_t CountEvents(const std::string& where) {
    if (pg_url_.empty()) return DbReader(fx_.db_path).Count(where);
    return PostgresCluster::QueryInt(pg_url_, "SELECT count(*) FROM events WHERE " + where);
  }

  void SetClock(HttpClient& client, int64_t now) {
    ASSERT_EQ(client.Request("POST", "/testing/clock", std::to_string(now)).status, 200);
  }

  void Deliver(HttpClient& client, const std::string& body, int64_t now) {
    HttpResult r = client.Request("POST", "/webhooks/stripe", body, SignedHeaders(body, now));
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // Waits until the pipeline has finished with every stored event.
  void WaitProcessed() {
    for (int i = 0; i < 2000 && CountEvents("status = 'pending'") != 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(CountEvents("status = 'pending'"), 0);
    ASSERT_EQ(CountEvents("status IN ('failed', 'dead')"), 0);
  }

  json::object AccessOf(HttpClient& client, const std::string& user) {
    HttpResult r = client.Request("GET", "/v1/access/" + user, "",
                                  {{"Authorization", std::string("Bearer ") + kAppKey}});
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body).as_object();
  }

  // The fields the expected files name, compared one by one for a readable failure.
  void ExpectMatches(const json::object& got, const json::object& want, const std::string& where) {
    EXPECT_EQ(got.at("access"), want.at("access")) << where << " " << json::serialize(got);
    EXPECT_EQ(got.at("reason"), want.at("reason")) << where << " " << json::serialize(got);
    EXPECT_EQ(got.at("plan"), want.at("plan")) << where << " " << json::serialize(got);
    EXPECT_EQ(got.at("status"), want.at("subscription_status"))
        << where << " " << json::serialize(got);
  }

  void ExpectRebuildAgrees() {
    ASSERT_EQ(fx_.server->Terminate(), 0);
    std::map<std::string, std::string> env = fx_.env;
    auto [code, out] = RunStripehook({"rebuild", "--config", fx_.dir.File("stripehook.toml")}, env);
    EXPECT_EQ(code, 0) << out;
    EXPECT_NE(out.find("no difference"), std::string::npos) << out;
  }

  ServerFixture fx_;
  std::string pg_url_;  // empty on SQLite
};

TEST_P(LifecycleTest, EveryCheckpointInDeliveryOrder) {
  std::vector<Scenario> scenarios = LoadScenarios();
  ASSERT_EQ(scenarios.size(), 16u);
  StartAt(CreatedOf(scenarios[0].events[0]));
  HttpClient client(fx_.port());
  for (const Scenario& s : scenarios) {
    std::string user(s.expected.at("user_id").as_string());
    const json::array& checkpoints = s.expected.at("after_each_event").as_array();
    ASSERT_EQ(checkpoints.size(), s.events.size()) << s.name;
    for (size_t i = 0; i < s.events.size(); ++i) {
      const json::object& want = checkpoints[i].as_object();
      int64_t now = want.at("now").as_int64();
      SetClock(client, now);
      Deliver(client, s.events[i], now);
      WaitProcessed();
      ExpectMatches(AccessOf(client, user), want, s.name + " after event " + std::to_string(i));
    }
    ExpectMatches(AccessOf(client, user), s.expected.at("final").as_object(), s.name + " final");
  }
  ExpectRebuildAgrees();
}

TEST_P(LifecycleTest, ShuffledAndDuplicatedDeliveriesEndInTheFinalState) {
  std::vector<Scenario> scenarios = LoadScenarios();
  uint64_t seed = std::random_device{}();
  std::mt19937_64 rng(seed);
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::vector<std::string> all;
  int64_t latest = 0;
  for (const Scenario& s : scenarios) {
    for (const std::string& e : s.events) {
      all.push_back(e);
      if (rng() % 4 == 0) all.push_back(e);  // a duplicate delivery
      latest = std::max(latest, CreatedOf(e));
    }
  }
  std::shuffle(all.begin(), all.end(), rng);
  StartAt(latest);
  HttpClient client(fx_.port());
  for (const std::string& e : all) Deliver(client, e, latest);
  WaitProcessed();
  for (const Scenario& s : scenarios) {
    const json::object& final_state = s.expected.at("final").as_object();
    SetClock(client, final_state.at("now").as_int64());
    ExpectMatches(AccessOf(client, std::string(s.expected.at("user_id").as_string())), final_state,
                  s.name + " final (shuffled)");
  }
  ExpectRebuildAgrees();
}

TEST_P(LifecycleTest, AppApiNeedsTheKey) {
  StartAt(1763802000);
  HttpClient client(fx_.port());
  EXPECT_EQ(client.Get("/v1/access/user_1").status, 401);
  HttpResult wrong =
      client.Request("GET", "/v1/access/user_1", "", {{"Authorization", "Bearer not-the-key"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_NE(wrong.body.find("unauthorized"), std::string::npos);
  HttpResult unknown = client.Request("GET", "/v1/customers/cus_nope", "",
                                      {{"Authorization", std::string("Bearer ") + kAppKey}});
  EXPECT_EQ(unknown.status, 404);
  json::object nobody = AccessOf(client, "user_nobody");
  EXPECT_EQ(nobody.at("access"), false);
  EXPECT_EQ(nobody.at("reason"), "no subscription");
  EXPECT_EQ(fx_.server->Terminate(), 0);
  fx_.server.reset();
}

INSTANTIATE_TEST_SUITE_P(Stores, LifecycleTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace stripehook::testing
