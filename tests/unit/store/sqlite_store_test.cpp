#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <string>
#include <vector>

#include "store/sqlite/statement.h"
#include "store_test_util.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::store {
namespace {

using sqlite::SqliteStore;
using testing::MakeEvent;
using testing::StoreFixture;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = fixture_.Open();
    ASSERT_OK(opened);
    store_ = std::move(opened).value();
  }

  // Sets the status of `id` through the writer, as the pipeline will.
  util::Status SetStatus(const std::string& id, EventStatus status) {
    std::promise<util::Status> done;
    store_->SubmitWrite(
        [&](sqlite::WriteTxn& txn) -> util::Status {
          SH_ASSIGN_OR_RETURN(sqlite::Statement * stmt,
                              txn.Prepare("UPDATE events SET status = ? WHERE id = ?"));
          stmt->BindText(1, EventStatusName(status));
          stmt->BindText(2, id);
          return stmt->Run();
        },
        [&](util::Status s) { done.set_value(s); });
    return done.get_future().get();
  }

  stripehook::testing::TempDir dir_;
  StoreFixture fixture_{dir_};
  std::unique_ptr<SqliteStore> store_;
};

std::vector<std::string> Ids(const EventPage& page) {
  std::vector<std::string> ids;
  for (const StoredEvent& e : page.events) ids.push_back(e.event.id);
  return ids;
}

TEST_F(SqliteStoreTest, InsertThenGetReturnsEveryField) {
  NewEvent e = MakeEvent("evt_1", 3);
  e.livemode = true;
  e.account = "acct_9";
  e.source = "backfill";
  ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store_->InsertEvent(e));
  EXPECT_EQ(outcome, InsertOutcome::kInserted);

  ASSERT_OK_AND_ASSIGN(StoredEvent got, store_->GetEvent("evt_1"));
  EXPECT_EQ(got.event.id, "evt_1");
  EXPECT_EQ(got.event.type, e.type);
  EXPECT_EQ(got.event.created, e.created);
  EXPECT_TRUE(got.event.livemode);
  EXPECT_EQ(got.event.api_version, std::optional<std::string>("2024-06-20"));
  EXPECT_EQ(got.event.account, std::optional<std::string>("acct_9"));
  EXPECT_EQ(got.event.object_id, e.object_id);
  EXPECT_EQ(got.event.object_type, "subscription");
  EXPECT_EQ(got.event.payload, e.payload);
  EXPECT_EQ(got.event.received_at_us, e.received_at_us);
  EXPECT_EQ(got.event.source, "backfill");
  EXPECT_EQ(got.event.endpoint, "default");
  EXPECT_EQ(got.status, EventStatus::kPending);
  EXPECT_EQ(got.attempts, 0);
  EXPECT_FALSE(got.next_attempt_at_us.has_value());
  EXPECT_FALSE(got.last_error.has_value());
  EXPECT_FALSE(got.processed_at_us.has_value());
}

TEST_F(SqliteStoreTest, NullOptionalsAndBinaryPayloadRoundTrip) {
  NewEvent e = MakeEvent("evt_bin");
  e.api_version.reset();
  e.payload = std::string("{\"a\":\"\0\xff\"}", 10);
  ASSERT_OK(store_->InsertEvent(e));
  ASSERT_OK_AND_ASSIGN(StoredEvent got, store_->GetEvent("evt_bin"));
  EXPECT_FALSE(got.event.api_version.has_value());
  EXPECT_FALSE(got.event.account.has_value());
  EXPECT_EQ(got.event.payload, e.payload);
}

TEST_F(SqliteStoreTest, EmptyStringsAreStoredAsEmptyNotNull) {
  NewEvent e = MakeEvent("evt_empty");
  e.endpoint.clear();
  e.object_id.clear();
  e.payload.clear();
  ASSERT_OK(store_->InsertEvent(e));
  ASSERT_OK_AND_ASSIGN(StoredEvent got, store_->GetEvent("evt_empty"));
  EXPECT_EQ(got.event.endpoint, "");
  EXPECT_EQ(got.event.payload, "");
}

TEST_F(SqliteStoreTest, GetMissingIsNotFound) {
  EXPECT_STATUS_CODE(store_->GetEvent("evt_nope"), kNotFound);
}

TEST_F(SqliteStoreTest, DuplicateIdIsReportedAndLeavesTheRowUnchanged) {
  NewEvent first = MakeEvent("evt_dup");
  ASSERT_OK(store_->InsertEvent(first));
  NewEvent second = MakeEvent("evt_dup");
  second.payload = R"({"changed":true})";
  second.type = "invoice.paid";
  ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store_->InsertEvent(second));
  EXPECT_EQ(outcome, InsertOutcome::kDuplicate);
  ASSERT_OK_AND_ASSIGN(StoredEvent got, store_->GetEvent("evt_dup"));
  EXPECT_EQ(got.event.payload, first.payload);
  EXPECT_EQ(got.event.type, first.type);
  ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountEvents());
  EXPECT_EQ(count, 1);
}

TEST_F(SqliteStoreTest, MissingReceivedAtIsStampedFromTheClock) {
  fixture_.clock().SetUnixMicros(1'234'567'890'123'456);
  NewEvent e = MakeEvent("evt_clock");
  e.received_at_us = 0;
  ASSERT_OK(store_->InsertEvent(e));
  ASSERT_OK_AND_ASSIGN(StoredEvent got, store_->GetEvent("evt_clock"));
  EXPECT_EQ(got.event.received_at_us, 1'234'567'890'123'456);
}

TEST_F(SqliteStoreTest, ListPagesNewestFirstWithCursor) {
  for (int i = 0; i < 25; ++i)
    ASSERT_OK(store_->InsertEvent(MakeEvent("evt_" + std::to_string(i), i)));
  EventFilter filter;
  filter.limit = 10;
  std::vector<std::string> seen;
  std::vector<bool> has_more;
  for (int page_no = 0; page_no < 5; ++page_no) {
    ASSERT_OK_AND_ASSIGN(EventPage page, store_->ListEvents(filter));
    for (const std::string& id : Ids(page)) seen.push_back(id);
    has_more.push_back(page.has_more);
    if (!page.has_more) break;
    filter.starting_after = page.events.back().event.id;
  }
  EXPECT_EQ(has_more, (std::vector<bool>{true, true, false}));
  ASSERT_EQ(seen.size(), 25u);
  for (int i = 0; i < 25; ++i) EXPECT_EQ(seen[i], "evt_" + std::to_string(24 - i));
}

TEST_F(SqliteStoreTest, ExactlyFullPageHasNoMore) {
  for (int i = 0; i < 3; ++i)
    ASSERT_OK(store_->InsertEvent(MakeEvent("evt_" + std::to_string(i), i)));
  EventFilter filter;
  filter.limit = 3;
  ASSERT_OK_AND_ASSIGN(EventPage page, store_->ListEvents(filter));
  EXPECT_EQ(page.events.size(), 3u);
  EXPECT_FALSE(page.has_more);
}

TEST_F(SqliteStoreTest, ListFiltersByTypeObjectCreatedAndStatus) {
  for (int i = 0; i < 14; ++i) {
    NewEvent e = MakeEvent("evt_" + std::to_string(i), i);
    if (i % 2 == 0) e.type = "invoice.paid";
    ASSERT_OK(store_->InsertEvent(e));
  }
  ASSERT_OK(SetStatus("evt_4", EventStatus::kProcessed));
  ASSERT_OK(SetStatus("evt_9", EventStatus::kFailed));

  EventFilter by_type;
  by_type.type = "invoice.paid";
  by_type.object_id = "sub_0";  // n % 7 == 0: evt_0 and evt_7, of which only evt_0 is even
  ASSERT_OK_AND_ASSIGN(EventPage page, store_->ListEvents(by_type));
  EXPECT_EQ(Ids(page), (std::vector<std::string>{"evt_0"}));

  EventFilter by_created;
  by_created.created_gte = 1'700'000'010;
  by_created.created_lt = 1'700'000'012;
  ASSERT_OK_AND_ASSIGN(page, store_->ListEvents(by_created));
  EXPECT_EQ(Ids(page), (std::vector<std::string>{"evt_11", "evt_10"}));

  EventFilter by_status;
  by_status.status = EventStatus::kFailed;
  ASSERT_OK_AND_ASSIGN(page, store_->ListEvents(by_status));
  EXPECT_EQ(Ids(page), (std::vector<std::string>{"evt_9"}));
  by_status.status = EventStatus::kPending;
  ASSERT_OK_AND_ASSIGN(page, store_->ListEvents(by_status));
  EXPECT_EQ(page.events.size(), 12u);
}

TEST_F(SqliteStoreTest, ListRejectsBadLimitAndUnknownCursor) {
  EventFilter filter;
  filter.limit = 0;
  EXPECT_STATUS_CODE(store_->ListEvents(filter), kInvalidArgument);
  filter.limit = 1001;
  EXPECT_STATUS_CODE(store_->ListEvents(filter), kInvalidArgument);
  filter.limit = 10;
  filter.starting_after = "evt_unknown";
  EXPECT_STATUS_CODE(store_->ListEvents(filter), kInvalidArgument);
}

TEST_F(SqliteStoreTest, CountAndPing) {
  EXPECT_OK(store_->Ping());
  ASSERT_OK_AND_ASSIGN(int64_t count, store_->CountEvents());
  EXPECT_EQ(count, 0);
  ASSERT_OK(store_->InsertEvent(MakeEvent("evt_a")));
  ASSERT_OK(store_->InsertEvent(MakeEvent("evt_b")));
  ASSERT_OK_AND_ASSIGN(count, store_->CountEvents());
  EXPECT_EQ(count, 2);
}

TEST_F(SqliteStoreTest, DataSurvivesCloseAndReopen) {
  ASSERT_OK(store_->InsertEvent(MakeEvent("evt_keep", 1)));
  store_.reset();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> reopened, fixture_.Open());
  ASSERT_OK_AND_ASSIGN(StoredEvent got, reopened->GetEvent("evt_keep"));
  EXPECT_EQ(got.event.payload, MakeEvent("evt_keep", 1).payload);
  ASSERT_OK_AND_ASSIGN(InsertOutcome again, reopened->InsertEvent(MakeEvent("evt_keep", 1)));
  EXPECT_EQ(again, InsertOutcome::kDuplicate);
}

TEST_F(SqliteStoreTest, ShutdownDrainsQueuedInsertsThenRefuses) {
  constexpr int kCount = 300;
  std::atomic<int> inserted{0};
  std::atomic<int> answered{0};
  for (int i = 0; i < kCount; ++i) {
    store_->InsertEventAsync(MakeEvent("evt_" + std::to_string(i), i),
                             [&](util::StatusOr<InsertOutcome> r) {
                               if (r.ok() && *r == InsertOutcome::kInserted) ++inserted;
                               ++answered;
                             });
  }
  store_->Shutdown();  // returns only after every queued insert was committed and answered
  EXPECT_EQ(answered.load(), kCount);
  EXPECT_EQ(inserted.load(), kCount);

  EXPECT_STATUS_CODE(store_->InsertEvent(MakeEvent("evt_late")), kUnavailable);
  store_->Shutdown();  // idempotent
  store_.reset();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqliteStore> reopened, fixture_.Open());
  ASSERT_OK_AND_ASSIGN(int64_t count, reopened->CountEvents());
  EXPECT_EQ(count, kCount);
}

}  // namespace
}  // namespace stripehook::store
