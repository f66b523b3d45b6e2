// The processing API of the SQLite store (DueEvents, CommitProcessing, record/audit/outbox
// reads, ForEachEventInOrder, RequeueEvents) and migration 2, on a real database in a TempDir.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/processing.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/event_rows.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/record_queries.h"
#include "store/sqlite/sqlite_store.h"
#include "store_test_util.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::store {
namespace {

using sqlite::SqliteStore;
using testing::MakeEvent;
using testing::StoreFixture;

constexpr int64_t kNow = 1'800'000'000'000'000;

EventStatusUpdate Status(const std::string& id, EventStatus status,
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

RecordWrite Upsert(const std::string& table, const std::string& key, const std::string& doc) {
  return RecordWrite{table, key, doc};
}
RecordWrite Delete(const std::string& table, const std::string& key) {
  return RecordWrite{table, key, std::nullopt};
}

std::vector<std::string> Ids(const std::vector<StoredEvent>& events) {
  std::vector<std::string> ids;
  for (const StoredEvent& e : events) ids.push_back(e.event.id);
  return ids;
}

// One commit of each kind of row, for event `id`.
ProcessingCommit FullCommit(const std::string& id) {
  ProcessingCommit commit;
  commit.records.push_back(Upsert("customers", "cus_1", R"({"id":"cus_1"})"));
  commit.records.push_back(Upsert("subscriptions", "sub_1", R"({"id":"sub_1"})"));
  commit.audit.push_back(AuditRow{id, "customers", "cus_1", R"({"after":1})", kNow});
  commit.audit.push_back(AuditRow{id, "subscriptions", "sub_1", R"({"after":2})", kNow + 1});
  commit.outbox.push_back(OutboxRow{id, "access.changed", "user_1", R"({"access":true})", kNow});
  commit.events.push_back(Status(id, EventStatus::kProcessed));
  return commit;
}

class ProcessingTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open(const std::string& fault_file = "") {
    store_.reset();
    sqlite::SqliteOptions options = fixture_.Options();
    options.fault_file = fault_file;
    auto opened = SqliteStore::Open(options);
    ASSERT_OK(opened);
    store_ = std::move(opened).value();
  }
  void Insert(const std::string& id, int64_t n = 0) {
    ASSERT_OK(store_->InsertEvent(MakeEvent(id, n)));
  }
  void SetStatus(EventStatusUpdate update) {
    ProcessingCommit commit;
    commit.events.push_back(std::move(update));
    ASSERT_OK(store_->CommitProcessing(std::move(commit)));
  }
  std::optional<std::string> Doc(const std::string& table, const std::string& key) {
    auto record = store_->GetRecord(table, key);
    EXPECT_OK(record);
    if (!record.ok() || !record->has_value()) return std::nullopt;
    return (*record)->doc;
  }
  int64_t AuditCount() { return store_->CountAudit().value(); }
  int64_t OutboxCount() { return store_->CountOutbox().value(); }

  stripehook::testing::TempDir dir_;
  StoreFixture fixture_{dir_};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ProcessingTest, DueEventsArePendingAndDueFailuresInArrivalOrder) {
  for (int i = 1; i <= 6; ++i) Insert("evt_" + std::to_string(i), i);
  SetStatus(Status("evt_2", EventStatus::kFailed, kNow + 1));  // not yet due
  SetStatus(Status("evt_3", EventStatus::kFailed, kNow));      // due exactly now
  SetStatus(Status("evt_4", EventStatus::kProcessed));
  SetStatus(Status("evt_5", EventStatus::kDead));
  SetStatus(Status("evt_6", EventStatus::kFailed, kNow - 10));

  ASSERT_OK_AND_ASSIGN(std::vector<StoredEvent> due, store_->DueEvents(kNow, 100));
  EXPECT_EQ(Ids(due), (std::vector<std::string>{"evt_1", "evt_3", "evt_6"}));
  EXPECT_EQ(due[0].event.payload, MakeEvent("evt_1", 1).payload);
  EXPECT_EQ(due[1].status, EventStatus::kFailed);
  EXPECT_EQ(due[1].last_error, std::optional<std::string>("boom"));

  ASSERT_OK_AND_ASSIGN(due, store_->DueEvents(kNow, 2));
  EXPECT_EQ(Ids(due), (std::vector<std::string>{"evt_1", "evt_3"}));
  ASSERT_OK_AND_ASSIGN(due, store_->DueEvents(kNow + 1, 100));
  EXPECT_EQ(Ids(due), (std::vector<std::string>{"evt_1", "evt_2", "evt_3", "evt_6"}));
  EXPECT_STATUS_CODE(store_->DueEvents(kNow, 0), kInvalidArgument);
}

TEST_F(ProcessingTest, DueEventsLimitKeepsArrivalOrderAcrossBothKinds) {
  // The failed events arrived first: a merge that preferred pending rows would skip them.
  for (int i = 1; i <= 4; ++i) Insert("evt_" + std::to_string(i), i);
  SetStatus(Status("evt_1", EventStatus::kFailed, kNow));
  SetStatus(Status("evt_2", EventStatus::kFailed, kNow));
  ASSERT_OK_AND_ASSIGN(std::vector<StoredEvent> due, store_->DueEvents(kNow, 3));
  EXPECT_EQ(Ids(due), (std::vector<std::string>{"evt_1", "evt_2", "evt_3"}));
}

TEST_F(ProcessingTest, DueEventsQueryUsesIndexesOnly) {
  ASSERT_OK_AND_ASSIGN(auto conn, sqlite::Connection::Open(fixture_.path(), {}));
  ASSERT_OK_AND_ASSIGN(sqlite::Statement plan,
                       conn->Prepare("EXPLAIN QUERY PLAN " + sqlite::DueEventsSql()));
  std::string details;
  while (plan.Step().value()) details += plan.ColumnString(3) + "\n";
  EXPECT_EQ(details.find("SCAN events"), std::string::npos) << details;
  EXPECT_NE(details.find("events_status"), std::string::npos) << details;
  EXPECT_NE(details.find("events_retry_due"), std::string::npos) << details;
}

TEST_F(ProcessingTest, CommitWritesEveryKindAndSurvivesReopen) {
  Insert("evt_1");
  ASSERT_OK(store_->CommitProcessing(FullCommit("evt_1")));
  Open();
  EXPECT_EQ(Doc("customers", "cus_1"), std::optional<std::string>(R"({"id":"cus_1"})"));
  EXPECT_EQ(Doc("subscriptions", "sub_1"), std::optional<std::string>(R"({"id":"sub_1"})"));
  ASSERT_OK_AND_ASSIGN(std::vector<AuditRow> audit, store_->AuditForEvent("evt_1"));
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].table, "customers");
  EXPECT_EQ(audit[1].key, "sub_1");
  EXPECT_EQ(audit[1].change, R"({"after":2})");
  EXPECT_EQ(audit[1].at_us, kNow + 1);
  EXPECT_EQ(OutboxCount(), 1);
  ASSERT_OK_AND_ASSIGN(StoredEvent event, store_->GetEvent("evt_1"));
  EXPECT_EQ(event.status, EventStatus::kProcessed);
  EXPECT_EQ(event.attempts, 2);
  EXPECT_EQ(event.processed_at_us, std::optional<int64_t>(kNow));
  ASSERT_OK_AND_ASSIGN(std::vector<StoredEvent> due, store_->DueEvents(kNow, 10));
  EXPECT_TRUE(due.empty());
  ASSERT_OK_AND_ASSIGN(audit, store_->AuditForEvent("evt_other"));
  EXPECT_TRUE(audit.empty());
}

// A processing commit's fsync is left to the next insert commit (deferred_sync_us), and readers
// see the commit before it: its outbox row must not go out until that fsync, or a power loss
// could take back a notification already delivered (the event would be processed again and
// notify a second time). Rows already in the file when the store opens are deliverable.
TEST_F(ProcessingTest, AnOutboxRowIsOfferedForDeliveryOnlyOnceItsCommitIsSynced) {
  store_.reset();
  sqlite::SqliteOptions options = fixture_.Options();
  options.deferred_sync_us = 600'000'000;  // ten minutes: only an insert commit syncs
  ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(options));
  Insert("evt_1");
  std::future<util::Status> committed =
      std::async(std::launch::async, [&] { return store_->CommitProcessing(FullCommit("evt_1")); });
  for (int i = 0; i < 1000 && OutboxCount() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(OutboxCount(), 1);  // committed: the admin list shows it
  ASSERT_OK_AND_ASSIGN(OutboxPage listed, store_->ListOutbox(OutboxFilter{}));
  ASSERT_EQ(listed.entries.size(), 1u);
  ASSERT_OK_AND_ASSIGN(std::vector<OutboxEntry> open, store_->OpenOutbox(0, 10));
  EXPECT_TRUE(open.empty());  // not synced: not offered
  EXPECT_EQ(committed.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);

  Insert("evt_2", 1);  // its commit's fsync covers the processing commit
  ASSERT_OK(committed.get());
  ASSERT_OK_AND_ASSIGN(open, store_->OpenOutbox(0, 10));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].event_id, "evt_1");

  Open();
  ASSERT_OK_AND_ASSIGN(open, store_->OpenOutbox(0, 10));
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].event_id, "evt_1");
}

TEST_F(ProcessingTest, RecordWritesApplyInOrder) {
  ProcessingCommit commit;
  commit.records.push_back(Upsert("customers", "cus_1", "v1"));
  commit.records.push_back(Delete("customers", "cus_1"));
  commit.records.push_back(Upsert("customers", "cus_1", "v3"));
  commit.records.push_back(Upsert("customers", "cus_2", "a"));
  commit.records.push_back(Upsert("customers", "cus_2", "b"));
  commit.records.push_back(Delete("customers", "cus_2"));
  commit.records.push_back(Delete("customers", "cus_never"));  // deleting nothing is fine
  ASSERT_OK(store_->CommitProcessing(std::move(commit)));
  EXPECT_EQ(Doc("customers", "cus_1"), std::optional<std::string>("v3"));
  EXPECT_EQ(Doc("customers", "cus_2"), std::nullopt);
  // Same key in another table is another record.
  EXPECT_EQ(Doc("subscriptions", "cus_1"), std::nullopt);
}

TEST_F(ProcessingTest, FullDiskFailsTheWholeCommitThenItSucceeds) {
  const std::string fault_file = dir_.File("disk-full");
  Open(fault_file);
  Insert("evt_1");
  std::ofstream(fault_file) << "full";
  EXPECT_STATUS_CODE(store_->CommitProcessing(FullCommit("evt_1")), kUnavailable);
  EXPECT_EQ(Doc("customers", "cus_1"), std::nullopt);
  EXPECT_EQ(AuditCount(), 0);
  EXPECT_EQ(OutboxCount(), 0);
  ASSERT_OK_AND_ASSIGN(StoredEvent event, store_->GetEvent("evt_1"));
  EXPECT_EQ(event.status, EventStatus::kPending);

  std::filesystem::remove(fault_file);
  ASSERT_OK(store_->CommitProcessing(FullCommit("evt_1")));
  EXPECT_EQ(Doc("customers", "cus_1"), std::optional<std::string>(R"({"id":"cus_1"})"));
  EXPECT_EQ(AuditCount(), 2);
  EXPECT_EQ(OutboxCount(), 1);
  ASSERT_OK_AND_ASSIGN(event, store_->GetEvent("evt_1"));
  EXPECT_EQ(event.status, EventStatus::kProcessed);
}

TEST_F(ProcessingTest, StatusForUnknownEventFailsTheWholeCommit) {
  Insert("evt_1");
  ProcessingCommit commit = FullCommit("evt_1");
  commit.events.push_back(Status("evt_missing", EventStatus::kProcessed));
  EXPECT_STATUS_CODE(store_->CommitProcessing(std::move(commit)), kNotFound);
  EXPECT_EQ(Doc("customers", "cus_1"), std::nullopt);
  EXPECT_EQ(AuditCount(), 0);
  EXPECT_EQ(OutboxCount(), 0);
  ASSERT_OK_AND_ASSIGN(StoredEvent event, store_->GetEvent("evt_1"));
  EXPECT_EQ(event.status, EventStatus::kPending);
}

TEST_F(ProcessingTest, EmptyCommitIsOk) { EXPECT_OK(store_->CommitProcessing({})); }

TEST_F(ProcessingTest, ForEachRecordVisitsEveryRowInKeyOrder) {
  ProcessingCommit commit;
  commit.records.push_back(Upsert("subscriptions", "sub_1", "s1"));
  commit.records.push_back(Upsert("customers", "cus_2", "c2"));
  commit.records.push_back(Upsert("customers", "cus_1", "c1"));
  commit.records.push_back(Upsert("customers", "cus_3", "c3"));
  commit.records.push_back(Delete("customers", "cus_3"));
  ASSERT_OK(store_->CommitProcessing(std::move(commit)));
  std::vector<RecordRow> rows;
  ASSERT_OK(store_->ForEachRecord([&](RecordRow&& row) { rows.push_back(std::move(row)); }));
  EXPECT_EQ(rows, (std::vector<RecordRow>{{"customers", "cus_1", "c1"},
                                          {"customers", "cus_2", "c2"},
                                          {"subscriptions", "sub_1", "s1"}}));
}

TEST_F(ProcessingTest, ForEachEventInOrderSortsByCreatedThenArrival) {
  const std::vector<std::pair<std::string, int64_t>> arrivals = {
      {"evt_a", 10}, {"evt_b", 5}, {"evt_c", 10}, {"evt_d", 5}, {"evt_e", 7}};
  for (const auto& [id, created] : arrivals) {
    NewEvent e = MakeEvent(id);
    e.created = created;
    ASSERT_OK(store_->InsertEvent(e));
  }
  SetStatus(Status("evt_c", EventStatus::kProcessed));  // every status is visited
  std::vector<std::string> order;
  std::vector<std::string> payloads;
  ASSERT_OK(store_->ForEachEventInOrder([&](StoredEvent&& e) {
    order.push_back(e.event.id);
    payloads.push_back(e.event.payload);
  }));
  EXPECT_EQ(order, (std::vector<std::string>{"evt_b", "evt_d", "evt_e", "evt_a", "evt_c"}));
  EXPECT_EQ(payloads[0], MakeEvent("evt_b").payload);
}

TEST_F(ProcessingTest, RequeueOneFailedOrDeadEvent) {
  for (const char* id : {"evt_f", "evt_d", "evt_p", "evt_i"}) Insert(id);
  SetStatus(Status("evt_f", EventStatus::kFailed, kNow + 1000));
  SetStatus(Status("evt_d", EventStatus::kDead));
  SetStatus(Status("evt_p", EventStatus::kProcessed));

  ASSERT_OK_AND_ASSIGN(int64_t n, store_->RequeueEvents("evt_f"));
  EXPECT_EQ(n, 1);
  ASSERT_OK_AND_ASSIGN(StoredEvent f, store_->GetEvent("evt_f"));
  EXPECT_EQ(f.status, EventStatus::kPending);
  EXPECT_EQ(f.next_attempt_at_us, std::nullopt);
  EXPECT_EQ(f.attempts, 2);
  ASSERT_OK_AND_ASSIGN(n, store_->RequeueEvents("evt_d"));
  EXPECT_EQ(n, 1);
  ASSERT_OK_AND_ASSIGN(StoredEvent d, store_->GetEvent("evt_d"));
  EXPECT_EQ(d.status, EventStatus::kPending);

  util::StatusOr<int64_t> processed = store_->RequeueEvents("evt_p");
  EXPECT_STATUS_CODE(processed, kFailedPrecondition);
  EXPECT_NE(processed.status().message().find("processed"), std::string::npos);
  EXPECT_STATUS_CODE(store_->RequeueEvents("evt_i"), kFailedPrecondition);  // pending already
  EXPECT_STATUS_CODE(store_->RequeueEvents("evt_nope"), kNotFound);
  ASSERT_OK_AND_ASSIGN(StoredEvent p, store_->GetEvent("evt_p"));
  EXPECT_EQ(p.status, EventStatus::kProcessed);
}

TEST_F(ProcessingTest, RequeueAllMovesEveryFailedAndDeadEvent) {
  for (int i = 1; i <= 5; ++i) Insert("evt_" + std::to_string(i), i);
  SetStatus(Status("evt_1", EventStatus::kFailed, kNow + 1000));
  SetStatus(Status("evt_2", EventStatus::kDead));
  SetStatus(Status("evt_3", EventStatus::kProcessed));
  SetStatus(Status("evt_4", EventStatus::kFailed, kNow + 5000));
  ASSERT_OK_AND_ASSIGN(int64_t n, store_->RequeueEvents(std::nullopt));
  EXPECT_EQ(n, 3);
  ASSERT_OK_AND_ASSIGN(std::vector<StoredEvent> due, store_->DueEvents(kNow, 100));
  EXPECT_EQ(Ids(due), (std::vector<std::string>{"evt_1", "evt_2", "evt_4", "evt_5"}));
  ASSERT_OK_AND_ASSIGN(n, store_->RequeueEvents(std::nullopt));
  EXPECT_EQ(n, 0);
}

// A database written by a binary that knew only migration 1.
void CreateVersionOneDatabase(const std::string& path) {
  ASSERT_OK_AND_ASSIGN(auto conn, sqlite::Connection::Open(path, {}));
  ASSERT_OK(
      conn->Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                 "applied_at INTEGER NOT NULL)"));
  const sqlite::Migration& first = sqlite::Migrations()[0];
  ASSERT_EQ(first.version, 1);
  ASSERT_OK(conn->Exec(first.sql));
  ASSERT_OK(conn->Exec(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (1, 'create events', 0)"));
  // The insert of a binary of that time: the payload inline in events (migration 6 moved it).
  ASSERT_OK_AND_ASSIGN(
      sqlite::Statement insert,
      conn->Prepare("INSERT INTO events (id, type, created, livemode, api_version, account, "
                    "object_id, object_type, received_at, source, endpoint, payload) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  NewEvent old = MakeEvent("evt_old");
  sqlite::BindNewEvent(insert, old);
  insert.BindBlob(12, old.payload);
  ASSERT_OK(insert.Run());
}

TEST(ProcessingMigrationTest, VersionOneDatabaseIsUpgradedAndKeepsItsEvents) {
  stripehook::testing::TempDir dir;
  StoreFixture fixture(dir);
  ASSERT_NO_FATAL_FAILURE(CreateVersionOneDatabase(fixture.path()));
  ASSERT_OK_AND_ASSIGN(auto store, fixture.Open());
  ASSERT_OK_AND_ASSIGN(StoredEvent old, store->GetEvent("evt_old"));
  EXPECT_EQ(old.event.payload, MakeEvent("evt_old").payload);
  ASSERT_OK(store->CommitProcessing(FullCommit("evt_old")));
  EXPECT_EQ(store->CountAudit().value(), 2);
  store.reset();

  ASSERT_OK_AND_ASSIGN(auto conn, sqlite::Connection::Open(fixture.path(), {}));
  ASSERT_OK_AND_ASSIGN(sqlite::Statement versions,
                       conn->Prepare("SELECT version FROM schema_migrations ORDER BY version"));
  std::vector<int64_t> applied;
  while (versions.Step().value()) applied.push_back(versions.ColumnInt64(0));
  std::vector<int64_t> known;  // every migration since, however many are appended later
  for (const sqlite::Migration& m : sqlite::Migrations()) known.push_back(m.version);
  EXPECT_EQ(applied, known);
}

}  // namespace
}  // namespace stripehook::store
