#pragma once

// The Store contract suite runs every test against each implementation: a SqliteStore on a file
// in a TempDir and a PostgresStore on a fresh database of a throwaway cluster (started once per
// test binary, see support/postgres_cluster.h).

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "support/postgres_cluster.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "util/clock.h"

namespace stripehook::store::conformance {

inline constexpr int64_t kNow = 1'800'000'000'000'000;

inline stripehook::testing::PostgresCluster* SharedCluster() {
  return stripehook::testing::SharedPostgresCluster();
}

// A test of the Store contract, parameterized by backend name ("sqlite" or "postgres").
class StoreContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      url_ = SharedCluster()->CreateDatabase();
      ASSERT_FALSE(url_.empty()) << SharedCluster()->error();
    }
    ASSERT_OK_AND_ASSIGN(store_, Open());
  }
  void TearDown() override {
    if (store_) store_->Shutdown();
  }

  // Opens (again) the same database.
  util::StatusOr<std::unique_ptr<Store>> Open() {
    if (GetParam() == "postgres") {
      postgres::PostgresOptions options;
      options.url = url_;
      options.clock = &clock_;
      SH_ASSIGN_OR_RETURN(auto store, postgres::PostgresStore::Open(options));
      return std::unique_ptr<Store>(std::move(store));
    }
    sqlite::SqliteOptions options;
    options.path = dir_.File("store.db");
    options.clock = &clock_;
    SH_ASSIGN_OR_RETURN(auto store, sqlite::SqliteStore::Open(options));
    return std::unique_ptr<Store>(std::move(store));
  }

  Store& store() { return *store_; }

  stripehook::testing::TempDir dir_;
  std::string url_;
  util::ManualClock clock_{kNow};
  std::unique_ptr<Store> store_;
};

// A plausible inbox event; `n` varies created and object so lists have a defined order.
inline NewEvent MakeEvent(const std::string& id, int64_t n = 0) {
  NewEvent e;
  e.id = id;
  e.type = "customer.subscription.updated";
  e.created = 1'700'000'000 + n;
  e.api_version = "2024-06-20";
  e.object_id = "sub_" + std::to_string(n % 3);
  e.object_type = "subscription";
  e.payload = R"({"id":")" + id + R"(","object":"event"})";
  e.received_at_us = 1'700'000'000'000'000 + n;
  e.endpoint = "default";
  return e;
}

inline std::vector<std::string> Ids(const std::vector<StoredEvent>& events) {
  std::vector<std::string> ids;
  for (const StoredEvent& e : events) ids.push_back(e.event.id);
  return ids;
}

inline EventStatusUpdate StatusUpdate(const std::string& id, EventStatus status,
                                      std::optional<int64_t> next_attempt_at = std::nullopt) {
  EventStatusUpdate update;
  update.id = id;
  update.status = status;
  update.attempts = 2;
  update.next_attempt_at_us = next_attempt_at;
  if (status == EventStatus::kFailed || status == EventStatus::kDead) update.last_error = "boom";
  if (status == EventStatus::kProcessed) update.processed_at_us = kNow;
  return update;
}

}  // namespace stripehook::store::conformance
