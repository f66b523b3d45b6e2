#pragma once

// A real SQLite store in a temporary directory, with helpers to enqueue outbox rows.
#include <memory>
#include <string>

#include "store/sqlite/sqlite_store.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"
#include "util/clock.h"

namespace stripehook::notify {

class OutboxStoreFixture {
 public:
  OutboxStoreFixture() {
    clock_.SetUnixSeconds(1'790'000'000);
    store::sqlite::SqliteOptions options;
    options.path = dir_.File("outbox.db");
    options.clock = &clock_;
    auto opened = store::sqlite::SqliteStore::Open(options);
    EXPECT_OK(opened);
    if (opened.ok()) store_ = std::move(opened).value();
  }
  // Appends one row; its id is returned by the store's order (1, 2, ...).
  void Enqueue(const std::string& type, const std::string& user, const std::string& body = "{}") {
    store::ProcessingCommit commit;
    commit.outbox.push_back({"evt_" + type, type, user, body, clock_.NowUnixMicros()});
    EXPECT_OK(store_->CommitProcessing(std::move(commit)));
  }
  store::OutboxEntry Get(int64_t id) { return store_->GetOutbox(id).value(); }

  stripehook::testing::TempDir dir_;
  util::ManualClock clock_{0};
  std::unique_ptr<store::sqlite::SqliteStore> store_;
};

}  // namespace stripehook::notify
