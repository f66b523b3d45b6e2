#pragma once

// Shared by the cluster tests: a throwaway PostgreSQL cluster per test binary, a fresh database
// per test, stores opened on it as separate "instances", and the lifecycle fixtures as inbox
// events (optionally renamed, so that copies are independent customers).

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "billing/config.h"
#include "store/postgres/postgres_store.h"
#include "support/lifecycle_events.h"
#include "support/postgres_cluster.h"
#include "support/status_matchers.h"
#include "support/test_paths.h"
#include "util/clock.h"

namespace stripehook::cluster_test {

inline stripehook::testing::PostgresCluster* SharedCluster() {
  return stripehook::testing::SharedPostgresCluster();
}

inline billing::Config PlansConfig() {
  billing::Config config;
  config.plans["pro"] = billing::Plan{"pro", {"price_pro"}, {}, {}};
  config.plans["team"] = billing::Plan{"team", {"price_team"}, {}, {}};
  config.plans["enterprise"] = billing::Plan{"enterprise", {"price_enterprise"}, {}, {}};
  return config;
}

// Every line of every lifecycle fixture, scenario by scenario in file order.
inline std::vector<std::string> AllLifecycleLines() {
  std::vector<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(stripehook::testing::FixturesDir() + "/lifecycles")) {
    if (entry.path().extension() == ".jsonl") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> lines;
  for (const std::string& file : files) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines.push_back(line);
    }
  }
  return lines;
}

// The ids of Stripe objects and users named in `v` (not prices or products: plans name those).
inline void CollectIds(const boost::json::value& v, std::set<std::string>& ids) {
  if (v.is_array()) {
    for (const auto& item : v.as_array()) CollectIds(item, ids);
  }
  if (!v.is_object()) return;
  for (const auto& [key, value] : v.as_object()) {
    if (value.is_string() && (key == "id" || key == "user_id" || key == "client_reference_id")) {
      std::string id(value.as_string());
      if (!id.starts_with("price_") && !id.starts_with("prod_") && !id.empty()) ids.insert(id);
    }
    CollectIds(value, ids);
  }
}

// `line` with every id of `ids` (as a whole JSON string) suffixed by `suffix`.
inline std::string Renamed(std::string line, const std::set<std::string>& ids,
                           const std::string& suffix) {
  for (const std::string& id : ids) {
    const std::string quoted = "\"" + id + "\"";
    for (size_t at = line.find(quoted); at != std::string::npos;
         at = line.find(quoted, at + quoted.size())) {
      line.replace(at, quoted.size(), "\"" + id + suffix + "\"");
    }
  }
  return line;
}

inline store::NewEvent ToNewEvent(const std::string& line) {
  return stripehook::testing::LifecycleEvent(line);
}

// Polls `done` every 10 ms for up to 30 s (a loaded machine is slow, never wrong).
inline bool Eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

// A test with its own database; Open() gives another instance's store on it.
class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = SharedCluster()->CreateDatabase();
    ASSERT_FALSE(url_.empty()) << SharedCluster()->error();
  }

  std::unique_ptr<store::postgres::PostgresStore> Open() {
    store::postgres::PostgresOptions options;
    options.url = url_;
    options.clock = &clock_;
    auto opened = store::postgres::PostgresStore::Open(options);
    EXPECT_OK(opened);
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  int64_t QueryInt(const std::string& sql) {
    return stripehook::testing::PostgresCluster::QueryInt(url_, sql);
  }

  std::string url_;
  util::ManualClock clock_{1'790'000'000'000'000};
};

}  // namespace stripehook::cluster_test
