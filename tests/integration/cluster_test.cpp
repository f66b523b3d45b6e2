// Three real `stripehook serve` processes on one PostgreSQL under load, the way a load balancer
// would use them: lifecycle scenarios (three copies under fresh ids, some deliveries duplicated)
// and plain events, sent round-robin from several threads and retried like Stripe does. Mid-load
// the scheduler's leader is SIGKILLed and another instance is restarted (SIGTERM). Then: every
// 200 is stored; once drained nothing is pending and nothing failed; no event changed a record
// twice (audit log); `stripehook rebuild` finds no difference; the survivors answer
// GET /v1/access alike and as the fixtures expect; scheduler leadership moved off the dead
// instance and is held by exactly one survivor. A second test: an alert about the shared
// database (webhook health) is raised by one instance, not by each.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <random>
#include <thread>

#include "integration/cluster_harness.h"

namespace stripehook::testing {
namespace {

namespace json = boost::json;
constexpr char kAppKey[] = "app_key_for_cluster_tests_0123456789";
constexpr int kCopies = 3;
constexpr int kPlainEvents = 1500;
constexpr int kSenderThreads = 6;

std::string Config(int64_t clock_start, const std::string& admin_extra = "") {
  return "[testing]\nmanual_clock_start = " + std::to_string(clock_start) +
         "\n[admin]\napp_key = \"" + kAppKey + "\"\n" + admin_extra +
         "[processing]\npoll_interval_ms = 20\n"
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

std::string IdOf(const std::string& line) {
  return std::string(json::parse(line).as_object().at("id").as_string());
}

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pg_.Init()) << pg_.error();
    url_ = pg_.CreateDatabase();
    ASSERT_FALSE(url_.empty()) << pg_.error();
    env_ = {{"STRIPE_WEBHOOK_SECRET", kSecret},
            {"DATABASE_URL", url_},
            {"STRIPEHOOK_LISTEN", "127.0.0.1:0"}};
  }

  // The scenarios (kCopies copies) and the deliveries: every scenario event, about one in five
  // twice, plus plain events, shuffled. Returns the clock start: the newest `created`.
  int64_t BuildLoad(uint64_t seed) {
    std::mt19937_64 rng(seed);
    int64_t latest = 0;
    for (int c = 0; c < kCopies; ++c) {
      for (ClusterScenario& s : LoadScenarioCopy("_c" + std::to_string(c))) {
        for (const std::string& e : s.events) {
          bodies_.push_back(e);
          if (rng() % 5 == 0) bodies_.push_back(e);
          latest = std::max(latest, CreatedOf(e));
        }
        scenarios_.push_back(std::move(s));
      }
    }
    for (int i = 0; i < kPlainEvents; ++i) {
      bodies_.push_back(EventBody("evt_cluster_plain_" + std::to_string(i), latest, 800));
    }
    std::shuffle(bodies_.begin(), bodies_.end(), rng);
    return latest;
  }

  void StartAll(const std::string& admin_extra = "") {
    std::ofstream(dir_.File("stripehook.toml")) << Config(clock_start_, admin_extra);
    instances_ = std::make_unique<Instances>(dir_, env_);
    for (int i = 0; i < Instances::kCount; ++i) {
      ASSERT_TRUE(instances_->Start(i)) << instances_->server(i).ReadLog();
    }
  }

  // Exactly one live instance holds the scheduler; returns it (-1 when not so within 30 s).
  int TheSchedulerLeader() {
    std::vector<int> leaders;
    Eventually([&] { return (leaders = instances_->SchedulerLeaders()).size() == 1; });
    return leaders.size() == 1 ? leaders[0] : -1;
  }

  std::string Access(int instance, const std::string& user) {
    HttpClient client(instances_->port(instance));
    HttpResult r = client.Request("GET", "/v1/access/" + user, "",
                                  {{"Authorization", std::string("Bearer ") + kAppKey}});
    return std::to_string(r.status) + " " + r.body;
  }

  bool SetClock(int instance, int64_t now) {
    HttpClient client(instances_->port(instance));
    return client.Request("POST", "/testing/clock", std::to_string(now)).status == 200;
  }

  // "" when every survivor gives every scenario's user the expected final answer and the same
  // whole answer; else the first disagreement.
  std::string AccessDisagreement(const std::vector<int>& survivors) {
    for (const ClusterScenario& s : scenarios_) {
      const json::object& want = s.expected.at("final").as_object();
      const std::string user(s.expected.at("user_id").as_string());
      std::string first;
      for (int i : survivors) {
        if (!SetClock(i, want.at("now").as_int64()))
          return "clock of instance " + std::to_string(i);
        std::string got = Access(i, user);
        if (got.rfind("200 ", 0) != 0) return s.name + ": " + got;
        json::object o = json::parse(got.substr(4)).as_object();
        if (o.at("access") != want.at("access") || o.at("reason") != want.at("reason") ||
            o.at("plan") != want.at("plan") || o.at("status") != want.at("subscription_status")) {
          return s.name + " on instance " + std::to_string(i) + ": " + got;
        }
        if (first.empty()) first = got;
        if (got != first) return s.name + ": instances disagree: " + first + " vs " + got;
      }
    }
    return "";
  }

  int64_t Count(const std::string& where) {
    return PostgresCluster::QueryInt(url_, "SELECT count(*) FROM events WHERE " + where);
  }

  PostgresCluster pg_;
  std::string url_;
  TempDir dir_;
  std::map<std::string, std::string> env_;
  std::vector<ClusterScenario> scenarios_;
  std::vector<std::string> bodies_;
  int64_t clock_start_ = 0;
  std::unique_ptr<Instances> instances_;
};

TEST_F(ClusterTest, ThreeInstancesOneKilledOneRestartedNothingLostNothingAppliedTwice) {
  const uint64_t seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  clock_start_ = BuildLoad(seed);
  StartAll();
  const int leader = TheSchedulerLeader();
  ASSERT_GE(leader, 0) << "no single scheduler leader among three instances";
  const int restarted = (leader + 1) % Instances::kCount;
  const std::vector<int> survivors = {restarted, (leader + 2) % Instances::kCount};

  // A quarter of the way in, SIGKILL the scheduler's leader (its session and advisory locks die
  // with it); half way, SIGTERM another instance and start it again. Both from the sending
  // thread that reached the mark, while the others keep sending.
  const int total = static_cast<int>(bodies_.size());
  std::atomic<bool> killed{false};
  int restart_exit = -2;
  bool restarted_ok = false;
  StripeSender sender(*instances_, bodies_, clock_start_, [&](int acked) {
    if (acked == total / 4) {
      instances_->Kill(leader);
      killed = true;
    } else if (acked == total / 2) {
      restart_exit = instances_->Terminate(restarted);
      restarted_ok = instances_->Start(restarted);
      std::cout << "restarted at " << acked << " acks, back at " << sender.acked() << "\n";
    }
  });
  sender.Start(kSenderThreads);
  ASSERT_TRUE(Eventually([&] { return killed.load(); }));
  const int new_leader = TheSchedulerLeader();
  EXPECT_NE(new_leader, -1) << "scheduler leadership did not move after SIGKILL";
  EXPECT_NE(new_leader, leader);
  sender.Wait();
  EXPECT_EQ(restart_exit, 0) << "SIGTERM did not end the instance cleanly";
  ASSERT_TRUE(restarted_ok) << instances_->server(restarted).ReadLog();

  EXPECT_TRUE(sender.unexpected().empty()) << sender.unexpected().front();
  EXPECT_EQ(sender.acked(), total) << "deliveries never acknowledged";
  std::vector<std::string> stored_ids = QueryColumn(url_, "SELECT id FROM events");
  std::set<std::string> stored(stored_ids.begin(), stored_ids.end());
  int missing = 0;
  for (size_t i = 0; i < bodies_.size(); ++i) {
    if (sender.Acked(i) && stored.count(IdOf(bodies_[i])) == 0) ++missing;
  }
  EXPECT_EQ(missing, 0) << "events acknowledged with 200 but not stored";
  std::cout << "deliveries " << total << ", retried " << sender.retries() << ", stored "
            << stored.size() << "\n";

  EXPECT_TRUE(Eventually([&] { return Count("status IN ('pending', 'failed')") == 0; },
                         std::chrono::seconds(60)))
      << Count("status = 'pending'") << " pending, " << Count("status = 'failed'") << " failed";
  EXPECT_EQ(Count("status NOT IN ('processed', 'stale', 'ignored')"), 0);
  EXPECT_GT(PostgresCluster::QueryInt(url_, "SELECT count(*) FROM audit_log"), 0);
  EXPECT_EQ(PostgresCluster::QueryInt(url_,
                                      "SELECT count(*) FROM (SELECT 1 FROM audit_log GROUP BY "
                                      "event_id, table_name, key HAVING count(*) > 1) twice"),
            0)
      << "an event changed the same record twice: applied more than once";

  auto [code, out] = RunStripehook({"rebuild", "--config", dir_.File("stripehook.toml")}, env_);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("no difference"), std::string::npos) << out;

  std::string disagreement;
  EXPECT_TRUE(Eventually([&] { return (disagreement = AccessDisagreement(survivors)).empty(); }))
      << disagreement;
  EXPECT_EQ(instances_->SchedulerLeaders().size(), 1u);
  for (int i : survivors) EXPECT_EQ(instances_->Terminate(i), 0);
}

// Webhook health is computed from the shared database, so every instance sees the same drop; only
// the one holding the `alerts` leadership raises it (and would queue it for the alert URL), not
// all three.
TEST_F(ClusterTest, AnAlertAboutTheSharedDatabaseIsRaisedByOneInstanceOnly) {
  clock_start_ = 1'800'000'000;
  StartAll("health_check_interval_seconds = 1\n");
  // Every instance first evaluates a healthy window (no events): the baseline a drop is seen from.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  // An event the billing core refuses (a subscription event carrying an invoice): it fails and
  // stays failed (the next attempt is minutes away on the manual clock): 1 of 1 failed.
  const std::string failing = R"({"id":"evt_cluster_alert","object":"event",)"
                              R"("type":"customer.subscription.updated","created":)" +
                              std::to_string(clock_start_) +
                              R"(,"livemode":false,"data":{"object":{"id":"in_cluster_alert",)"
                              R"("object":"invoice","customer":"cus_cluster_alert"}}})";
  HttpClient client(instances_->port(0));
  ASSERT_EQ(
      client.Request("POST", "/webhooks/stripe", failing, SignedHeaders(failing, clock_start_))
          .status,
      200);
  ASSERT_TRUE(Eventually([&] { return Count("status = 'failed'") == 1; }));
  auto raised = [&] {
    int n = 0;
    for (int i = 0; i < Instances::kCount; ++i) {
      std::string log = instances_->server(i).ReadLog();
      for (size_t at = log.find("\"alert\":\"webhook_health\""); at != std::string::npos;
           at = log.find("\"alert\":\"webhook_health\"", at + 1)) {
        ++n;
      }
    }
    return n;
  };
  ASSERT_TRUE(Eventually([&] { return raised() >= 1; })) << "no instance raised the alert";
  // Each instance has evaluated the failed window at least twice more by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  EXPECT_EQ(raised(), 1) << "the drop was alerted by more than one instance";
  for (int i = 0; i < Instances::kCount; ++i) EXPECT_EQ(instances_->Terminate(i), 0);
}

}  // namespace
}  // namespace stripehook::testing
