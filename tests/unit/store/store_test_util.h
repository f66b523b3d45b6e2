#pragma once

#include <memory>
#include <string>
#include <utility>

#include "store/event.h"
#include "store/sqlite/sqlite_store.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "util/clock.h"

namespace stripehook::store::testing {

// A plausible inbox event; `n` varies created/received_at so lists have a defined order.
inline NewEvent MakeEvent(const std::string& id, int64_t n = 0) {
  NewEvent e;
  e.id = id;
  e.type = "customer.subscription.updated";
  e.created = 1'700'000'000 + n;
  e.livemode = false;
  e.api_version = "2024-06-20";
  e.object_id = "sub_" + std::to_string(n % 7);
  e.object_type = "subscription";
  e.payload = R"({"id":")" + id + R"(","object":"event"})";
  e.received_at_us = 1'700'000'000'000'000 + n;
  e.endpoint = "default";
  return e;
}

// Opens a SqliteStore on `dir`/store.db with a manual clock.
class StoreFixture {
 public:
  explicit StoreFixture(const stripehook::testing::TempDir& dir) : path_(dir.File("store.db")) {}

  sqlite::SqliteOptions Options() const {
    sqlite::SqliteOptions options;
    options.path = path_;
    options.clock = &clock_;
    return options;
  }
  util::StatusOr<std::unique_ptr<sqlite::SqliteStore>> Open() const {
    return sqlite::SqliteStore::Open(Options());
  }
  const std::string& path() const { return path_; }
  util::ManualClock& clock() { return clock_; }

 private:
  std::string path_;
  mutable util::ManualClock clock_{1'800'000'000'000'000};
};

}  // namespace stripehook::store::testing
