// The inbox half of the Store contract (store.h), on every backend.
#include <atomic>
#include <future>
#include <map>
#include <thread>

#include "store_backends.h"

namespace stripehook::store::conformance {
namespace {

TEST_P(StoreContractTest, InsertThenGetReturnsEveryFieldByteForByte) {
  NewEvent e = MakeEvent("evt_1", 5);
  e.livemode = true;
  e.account = "acct_9";
  e.source = "backfill";
  e.payload = std::string("{\"raw\":\"\x01\xff\x00\xc3\"}", 14);  // not UTF-8, holds a NUL
  ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store().InsertEvent(e));
  EXPECT_EQ(outcome, InsertOutcome::kInserted);
  ASSERT_OK_AND_ASSIGN(StoredEvent got, store().GetEvent("evt_1"));
  EXPECT_EQ(got.event.payload, e.payload);
  EXPECT_EQ(got.event.type, e.type);
  EXPECT_EQ(got.event.created, e.created);
  EXPECT_TRUE(got.event.livemode);
  EXPECT_EQ(got.event.api_version, e.api_version);
  EXPECT_EQ(got.event.account, e.account);
  EXPECT_EQ(got.event.object_id, e.object_id);
  EXPECT_EQ(got.event.object_type, e.object_type);
  EXPECT_EQ(got.event.received_at_us, e.received_at_us);
  EXPECT_EQ(got.event.source, "backfill");
  EXPECT_EQ(got.event.endpoint, "default");
  EXPECT_EQ(got.status, EventStatus::kPending);
  EXPECT_EQ(got.attempts, 0);
  EXPECT_FALSE(got.next_attempt_at_us.has_value());
  EXPECT_FALSE(got.last_error.has_value());
  EXPECT_FALSE(got.processed_at_us.has_value());
}

TEST_P(StoreContractTest, UnsetOptionalFieldsStayUnset) {
  NewEvent e = MakeEvent("evt_1");
  e.api_version.reset();
  ASSERT_OK(store().InsertEvent(e));
  ASSERT_OK_AND_ASSIGN(StoredEvent got, store().GetEvent("evt_1"));
  EXPECT_FALSE(got.event.api_version.has_value());
  EXPECT_FALSE(got.event.account.has_value());
}

TEST_P(StoreContractTest, DuplicateIdIsReportedAndNeverChangesTheRow) {
  ASSERT_OK(store().InsertEvent(MakeEvent("evt_1", 1)));
  NewEvent again = MakeEvent("evt_1", 2);
  again.payload = "{\"changed\":true}";
  ASSERT_OK_AND_ASSIGN(InsertOutcome outcome, store().InsertEvent(again));
  EXPECT_EQ(outcome, InsertOutcome::kDuplicate);
  ASSERT_OK_AND_ASSIGN(StoredEvent got, store().GetEvent("evt_1"));
  EXPECT_EQ(got.event.payload, MakeEvent("evt_1", 1).payload);
  EXPECT_EQ(got.event.created, MakeEvent("evt_1", 1).created);
  ASSERT_OK_AND_ASSIGN(int64_t count, store().CountEvents());
  EXPECT_EQ(count, 1);
}

// Many concurrent deliveries of the same ids (they share batches): exactly one is inserted per id.
TEST_P(StoreContractTest, ConcurrentDeliveriesOfOneIdInsertItOnce) {
  constexpr int kIds = 50, kCopies = 6;
  std::atomic<int> inserted{0}, duplicates{0}, errors{0}, done{0};
  std::promise<void> all_done;
  for (int copy = 0; copy < kCopies; ++copy) {
    for (int i = 0; i < kIds; ++i) {
      store().InsertEventAsync(MakeEvent("evt_" + std::to_string(i), i),
                               [&](util::StatusOr<InsertOutcome> outcome) {
                                 if (!outcome.ok()) {
                                   ++errors;
                                 } else if (*outcome == InsertOutcome::kInserted) {
                                   ++inserted;
                                 } else {
                                   ++duplicates;
                                 }
                                 if (++done == kIds * kCopies) all_done.set_value();
                               });
    }
  }
  all_done.get_future().wait();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(inserted.load(), kIds);
  EXPECT_EQ(duplicates.load(), kIds * (kCopies - 1));
  ASSERT_OK_AND_ASSIGN(int64_t count, store().CountEvents());
  EXPECT_EQ(count, kIds);
}

// A row one engine may refuse (PostgreSQL's text holds no NUL) must not fail the rows batched
// with it: whatever happens to the odd one, the others are stored.
TEST_P(StoreContractTest, AnOddRowNeverFailsTheRowsBatchedWithIt) {
  constexpr int kGood = 20;
  std::atomic<int> good_inserted{0}, done{0};
  std::promise<void> all_done;
  auto count = [&](bool good) {
    return [&, good](util::StatusOr<InsertOutcome> outcome) {
      if (good && outcome.ok() && *outcome == InsertOutcome::kInserted) ++good_inserted;
      if (++done == kGood + 2) all_done.set_value();
    };
  };
  for (int i = 0; i < kGood; ++i) {
    if (i == kGood / 2) {
      store().InsertEventAsync(MakeEvent(std::string("evt_nul\0x", 9), 98), count(false));
      store().InsertEventAsync(MakeEvent("evt_not_utf8_\xff", 99), count(false));
    }
    store().InsertEventAsync(MakeEvent("evt_" + std::to_string(i), i), count(true));
  }
  all_done.get_future().wait();
  EXPECT_EQ(good_inserted.load(), kGood);
  ASSERT_OK(store().GetEvent("evt_0"));
}

TEST_P(StoreContractTest, GetUnknownIdIsNotFound) {
  EXPECT_STATUS_CODE(store().GetEvent("evt_missing"), kNotFound);
}

TEST_P(StoreContractTest, ZeroReceivedAtIsStampedFromTheClock) {
  NewEvent e = MakeEvent("evt_1");
  e.received_at_us = 0;
  ASSERT_OK(store().InsertEvent(e));
  ASSERT_OK_AND_ASSIGN(StoredEvent got, store().GetEvent("evt_1"));
  EXPECT_EQ(got.event.received_at_us, kNow);
}

TEST_P(StoreContractTest, ListIsNewestFirstAndPagesWithStartingAfter) {
  for (int i = 0; i < 5; ++i)
    ASSERT_OK(store().InsertEvent(MakeEvent("evt_" + std::to_string(i), i)));
  EventFilter filter;
  filter.limit = 2;
  ASSERT_OK_AND_ASSIGN(EventPage first, store().ListEvents(filter));
  EXPECT_EQ(Ids(first.events), (std::vector<std::string>{"evt_4", "evt_3"}));
  EXPECT_TRUE(first.has_more);
  filter.starting_after = "evt_3";
  ASSERT_OK_AND_ASSIGN(EventPage second, store().ListEvents(filter));
  EXPECT_EQ(Ids(second.events), (std::vector<std::string>{"evt_2", "evt_1"}));
  EXPECT_TRUE(second.has_more);
  filter.starting_after = "evt_1";
  ASSERT_OK_AND_ASSIGN(EventPage last, store().ListEvents(filter));
  EXPECT_EQ(Ids(last.events), (std::vector<std::string>{"evt_0"}));
  EXPECT_FALSE(last.has_more);
}

TEST_P(StoreContractTest, ListFiltersCombine) {
  for (int i = 0; i < 9; ++i) {
    NewEvent e = MakeEvent("evt_" + std::to_string(i), i);
    if (i % 2 == 0) e.type = "invoice.paid";
    ASSERT_OK(store().InsertEvent(e));
  }
  ASSERT_OK(store().CommitProcessing(
      ProcessingCommit{{}, {}, {}, {StatusUpdate("evt_6", EventStatus::kProcessed)}}));
  EventFilter filter;
  filter.type = "invoice.paid";
  filter.object_id = "sub_0";  // i % 3 == 0
  ASSERT_OK_AND_ASSIGN(EventPage page, store().ListEvents(filter));
  EXPECT_EQ(Ids(page.events), (std::vector<std::string>{"evt_6", "evt_0"}));
  filter.status = EventStatus::kPending;
  ASSERT_OK_AND_ASSIGN(page, store().ListEvents(filter));
  EXPECT_EQ(Ids(page.events), (std::vector<std::string>{"evt_0"}));
  EventFilter range;
  range.created_gte = 1'700'000'003;
  range.created_lt = 1'700'000'005;
  ASSERT_OK_AND_ASSIGN(page, store().ListEvents(range));
  EXPECT_EQ(Ids(page.events), (std::vector<std::string>{"evt_4", "evt_3"}));
}

TEST_P(StoreContractTest, ListRejectsBadLimitAndUnknownCursor) {
  EventFilter filter;
  filter.limit = 0;
  EXPECT_STATUS_CODE(store().ListEvents(filter), kInvalidArgument);
  filter.limit = 1001;
  EXPECT_STATUS_CODE(store().ListEvents(filter), kInvalidArgument);
  filter.limit = 10;
  filter.starting_after = "evt_nope";
  EXPECT_STATUS_CODE(store().ListEvents(filter), kInvalidArgument);
}

TEST_P(StoreContractTest, PingAnswers) { EXPECT_OK(store().Ping()); }

TEST_P(StoreContractTest, AfterShutdownInsertsFailAtOnceWithUnavailable) {
  store().Shutdown();
  store().Shutdown();  // idempotent
  EXPECT_STATUS_CODE(store().InsertEvent(MakeEvent("evt_1")), kUnavailable);
}

TEST_P(StoreContractTest, CommittedEventsSurviveReopening) {
  ASSERT_OK(store().InsertEvent(MakeEvent("evt_1")));
  store_.reset();
  ASSERT_OK_AND_ASSIGN(store_, Open());
  ASSERT_OK_AND_ASSIGN(StoredEvent got, store().GetEvent("evt_1"));
  EXPECT_EQ(got.event.payload, MakeEvent("evt_1").payload);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace stripehook::store::conformance
