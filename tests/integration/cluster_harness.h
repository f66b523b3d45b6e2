#pragma once

// Pieces of the multi-instance test (cluster_test.cpp): copies of the lifecycle fixtures under
// fresh ids, a set of real `stripehook serve` processes on one PostgreSQL, and a Stripe-like
// sender that spreads deliveries over them and retries until one answers 200.

#include <libpq-fe.h>

#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/ingest_harness.h"
#include "support/postgres_cluster.h"

namespace stripehook::testing {

// One lifecycle scenario: its events (raw lines, delivery order) and expected end state.
struct ClusterScenario {
  std::string name;
  std::vector<std::string> events;
  boost::json::object expected;
};

// `text` with every id of Stripe's objects that the fixtures use, and every user id, ending in
// `suffix`: a copy of a scenario that builds its own customer, subscription and user. Only JSON
// string values are touched (a key such as "user_id" is not); compact and spaced JSON alike.
inline std::string WithSuffix(const std::string& text, const std::string& suffix) {
  static const std::regex kId(
      R"re(([:\[,]\s*)"((?:evt|cus|sub|in|si|il|pm|pi|ch|re|dp|cs|ii|txn|user)_[A-Za-z0-9_]+)"(?!\s*:))re");
  return std::regex_replace(text, kId, "$1\"$2" + suffix + "\"");
}

inline std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every scenario of tests/fixtures/lifecycles, as copy `suffix`.
inline std::vector<ClusterScenario> LoadScenarioCopy(const std::string& suffix) {
  std::vector<ClusterScenario> out;
  const std::string dir = FixturesDir() + "/lifecycles";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".jsonl") continue;
    ClusterScenario s;
    s.name = entry.path().stem().string() + suffix;
    std::istringstream lines(WithSuffix(ReadText(entry.path().string()), suffix));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) s.events.push_back(line);
    }
    std::string expected = ReadText(dir + "/" + entry.path().stem().string() + ".expected.json");
    s.expected = boost::json::parse(WithSuffix(expected, suffix)).as_object();
    out.push_back(std::move(s));
  }
  return out;
}

// The first column of every row of `sql` (empty on any error; the caller's counts then fail).
inline std::vector<std::string> QueryColumn(const std::string& url, const std::string& sql) {
  std::vector<std::string> out;
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* res = PQexec(conn, sql.c_str());
    if (PQresultStatus(res) == PGRES_TUPLES_OK) {
      for (int i = 0; i < PQntuples(res); ++i) out.emplace_back(PQgetvalue(res, i, 0));
    }
    PQclear(res);
  }
  PQfinish(conn);
  return out;
}

template <typename F>
bool Eventually(F condition, std::chrono::seconds timeout = std::chrono::seconds(30)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// N `stripehook serve` processes sharing one database and one config file. port(i) is 0 while
// instance i is down, so senders skip it.
class Instances {
 public:
  static constexpr int kCount = 3;

  Instances(const TempDir& dir, std::map<std::string, std::string> env) {
    for (int i = 0; i < kCount; ++i) {
      servers_[i] = std::make_unique<ServerProcess>(
          dir.File("server" + std::to_string(i) + ".log"), env,
          std::vector<std::string>{"serve", "--config", dir.File("stripehook.toml")});
    }
  }
  bool Start(int i) {
    if (!servers_[i]->Start(std::chrono::seconds(30))) return false;
    ports_[i] = servers_[i]->port();
    return true;
  }
  void Kill(int i) {
    ports_[i] = 0;
    servers_[i]->Kill();
  }
  int Terminate(int i) {
    ports_[i] = 0;
    return servers_[i]->Terminate();
  }
  uint16_t port(int i) const { return static_cast<uint16_t>(ports_[i].load()); }
  ServerProcess& server(int i) { return *servers_[i]; }

  // The instances whose /metrics say they hold the scheduler's leadership.
  std::vector<int> SchedulerLeaders() {
    std::vector<int> leaders;
    for (int i = 0; i < kCount; ++i) {
      if (port(i) == 0) continue;
      HttpClient client(port(i));
      HttpResult r = client.Get("/metrics");
      if (r.body.find("stripehook_leader{job=\"scheduler\"} 1\n") != std::string::npos) {
        leaders.push_back(i);
      }
    }
    return leaders;
  }

 private:
  std::array<std::unique_ptr<ServerProcess>, kCount> servers_;
  std::array<std::atomic<int>, kCount> ports_{};
};

// Delivers a fixed list of events from several threads, round-robin over the instances that are
// up; like Stripe, a connection error or a 5xx is retried (on the next instance, after a short
// pause) until a 200. Records which events were acknowledged and any other answer. `on_ack`
// runs on the sending thread after each 200 with the number acknowledged so far (the test kills
// and restarts instances from it, so that happens while the other threads keep sending).
class StripeSender {
 public:
  using AckHook = std::function<void(int acked)>;
  StripeSender(Instances& instances, std::vector<std::string> bodies, int64_t sign_time,
               AckHook on_ack)
      : instances_(instances),
        bodies_(std::move(bodies)),
        sign_time_(sign_time),
        on_ack_(std::move(on_ack)),
        acked_(bodies_.size()) {}
  ~StripeSender() { Wait(); }

  void Start(int threads) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this, t] { Run(t); });
  }
  void Wait() {
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }
  int acked() const { return acked_count_.load(); }
  int retries() const { return retries_.load(); }
  bool Acked(size_t i) const { return acked_[i].load(); }
  std::vector<std::string> unexpected() {
    std::lock_guard<std::mutex> lock(mu_);
    return unexpected_;
  }

 private:
  void Run(int thread) {
    std::array<std::unique_ptr<HttpClient>, Instances::kCount> clients;
    std::array<uint16_t, Instances::kCount> client_ports{};
    for (size_t i = next_.fetch_add(1); i < bodies_.size(); i = next_.fetch_add(1)) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      for (int attempt = 0; std::chrono::steady_clock::now() < deadline; ++attempt) {
        const int at = static_cast<int>((i + thread + attempt) % Instances::kCount);
        const uint16_t port = instances_.port(at);
        if (port == 0) continue;
        if (!clients[at] || client_ports[at] != port) {
          clients[at] = std::make_unique<HttpClient>(port);
          client_ports[at] = port;
        }
        HttpResult r = clients[at]->Request("POST", "/webhooks/stripe", bodies_[i],
                                            SignedHeaders(bodies_[i], sign_time_));
        if (r.status == 200) {
          acked_[i] = true;
          if (on_ack_) on_ack_(acked_count_.fetch_add(1) + 1);
          break;
        }
        if (r.status != 0 && r.status < 500) {
          std::lock_guard<std::mutex> lock(mu_);
          unexpected_.push_back(std::to_string(r.status) + " " + r.body);
          break;
        }
        clients[at].reset();
        retries_.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // Stripe's retry, shortened
      }
    }
  }

  Instances& instances_;
  const std::vector<std::string> bodies_;
  const int64_t sign_time_;
  const AckHook on_ack_;
  std::vector<std::atomic<bool>> acked_;
  std::atomic<size_t> next_{0};
  std::atomic<int> acked_count_{0};
  std::atomic<int> retries_{0};
  std::mutex mu_;
  std::vector<std::string> unexpected_;
  std::vector<std::thread> threads_;
};

}  // namespace stripehook::testing
