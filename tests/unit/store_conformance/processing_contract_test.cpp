// The processing half of the Store contract (store.h): DueEvents, CommitProcessing, records,
// audit, outbox, ForEach*, RequeueEvents, on every backend.
#include "store_backends.h"

namespace stripehook::store::conformance {
namespace {

void InsertN(Store& store, int n) {
  for (int i = 0; i < n; ++i) {
    ASSERT_OK(store.InsertEvent(MakeEvent("evt_" + std::to_string(i), i)));
  }
}

ProcessingCommit FullCommit(const std::string& id) {
  ProcessingCommit commit;
  commit.records.push_back(RecordWrite{"customers", "cus_1", R"({"id":"cus_1"})"});
  commit.records.push_back(RecordWrite{"subscriptions", "sub_1", R"({"v":1})"});
  commit.records.push_back(RecordWrite{"subscriptions", "sub_1", R"({"v":2})"});  // later wins
  commit.audit.push_back(AuditRow{id, "subscriptions", "sub_1", R"({"n":1})", kNow});
  commit.audit.push_back(AuditRow{id, "customers", "cus_1", R"({"n":2})", kNow});
  commit.outbox.push_back(OutboxRow{id, "access.changed", "user_1", R"({"a":1})", kNow});
  commit.events.push_back(StatusUpdate(id, EventStatus::kProcessed));
  return commit;
}

TEST_P(StoreContractTest, DueEventsArePendingAndDueFailedInArrivalOrder) {
  InsertN(store(), 5);
  ProcessingCommit commit;
  commit.events.push_back(StatusUpdate("evt_0", EventStatus::kFailed, kNow - 1));  // due
  commit.events.push_back(StatusUpdate("evt_1", EventStatus::kFailed, kNow + 1));  // not yet
  commit.events.push_back(StatusUpdate("evt_2", EventStatus::kProcessed));
  commit.events.push_back(StatusUpdate("evt_3", EventStatus::kDead));
  ASSERT_OK(store().CommitProcessing(commit));
  ASSERT_OK_AND_ASSIGN(std::vector<StoredEvent> due, store().DueEvents(kNow, 10));
  EXPECT_EQ(Ids(due), (std::vector<std::string>{"evt_0", "evt_4"}));
  EXPECT_EQ(due[0].status, EventStatus::kFailed);
  EXPECT_EQ(due[0].attempts, 2);
  EXPECT_EQ(due[0].last_error, "boom");
  EXPECT_EQ(due[1].event.payload, MakeEvent("evt_4", 4).payload);
  ASSERT_OK_AND_ASSIGN(due, store().DueEvents(kNow, 1));
  EXPECT_EQ(Ids(due), (std::vector<std::string>{"evt_0"}));
  EXPECT_STATUS_CODE(store().DueEvents(kNow, 0), kInvalidArgument);
}

TEST_P(StoreContractTest, CommitProcessingWritesEverythingItHolds) {
  InsertN(store(), 1);
  ASSERT_OK(store().CommitProcessing(FullCommit("evt_0")));
  ASSERT_OK_AND_ASSIGN(std::optional<RecordRow> sub, store().GetRecord("subscriptions", "sub_1"));
  ASSERT_TRUE(sub.has_value());
  EXPECT_EQ(sub->doc, R"({"v":2})");
  ASSERT_OK_AND_ASSIGN(std::vector<AuditRow> audit, store().AuditForEvent("evt_0"));
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].key, "sub_1");  // commit order, not key order
  EXPECT_EQ(audit[1].key, "cus_1");
  EXPECT_EQ(audit[1].change, R"({"n":2})");
  EXPECT_EQ(audit[1].at_us, kNow);
  ASSERT_OK_AND_ASSIGN(int64_t audits, store().CountAudit());
  EXPECT_EQ(audits, 2);
  ASSERT_OK_AND_ASSIGN(int64_t outbox, store().CountOutbox());
  EXPECT_EQ(outbox, 1);
  ASSERT_OK_AND_ASSIGN(StoredEvent event, store().GetEvent("evt_0"));
  EXPECT_EQ(event.status, EventStatus::kProcessed);
  EXPECT_EQ(event.processed_at_us, kNow);
  EXPECT_EQ(event.attempts, 2);
}

TEST_P(StoreContractTest, CommitProcessingIsAllOrNothing) {
  InsertN(store(), 1);
  ProcessingCommit commit = FullCommit("evt_0");
  commit.events.push_back(StatusUpdate("evt_unknown", EventStatus::kProcessed));
  EXPECT_STATUS_CODE(store().CommitProcessing(commit), kNotFound);
  ASSERT_OK_AND_ASSIGN(std::optional<RecordRow> sub, store().GetRecord("subscriptions", "sub_1"));
  EXPECT_FALSE(sub.has_value());
  ASSERT_OK_AND_ASSIGN(int64_t audits, store().CountAudit());
  EXPECT_EQ(audits, 0);
  ASSERT_OK_AND_ASSIGN(int64_t outbox, store().CountOutbox());
  EXPECT_EQ(outbox, 0);
  ASSERT_OK_AND_ASSIGN(StoredEvent event, store().GetEvent("evt_0"));
  EXPECT_EQ(event.status, EventStatus::kPending);
  // The store keeps working after a failed commit.
  EXPECT_OK(store().CommitProcessing(FullCommit("evt_0")));
}

TEST_P(StoreContractTest, LaterWriteInOneCommitWinsOverDeleteAndStatus) {
  InsertN(store(), 2);
  ASSERT_OK(store().CommitProcessing(FullCommit("evt_0")));
  ProcessingCommit commit;
  commit.records.push_back(RecordWrite{"customers", "cus_1", std::nullopt});
  commit.records.push_back(RecordWrite{"customers", "cus_1", R"({"back":1})"});  // wins
  commit.records.push_back(RecordWrite{"customers", "cus_2", R"({"id":"cus_2"})"});
  commit.records.push_back(RecordWrite{"customers", "cus_2", std::nullopt});  // wins
  commit.events.push_back(StatusUpdate("evt_1", EventStatus::kFailed, kNow + 1));
  commit.events.push_back(StatusUpdate("evt_1", EventStatus::kProcessed));  // wins
  ASSERT_OK(store().CommitProcessing(commit));
  ASSERT_OK_AND_ASSIGN(std::optional<RecordRow> back, store().GetRecord("customers", "cus_1"));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->doc, R"({"back":1})");
  ASSERT_OK_AND_ASSIGN(std::optional<RecordRow> gone, store().GetRecord("customers", "cus_2"));
  EXPECT_FALSE(gone.has_value());
  ASSERT_OK_AND_ASSIGN(StoredEvent event, store().GetEvent("evt_1"));
  EXPECT_EQ(event.status, EventStatus::kProcessed);
}

TEST_P(StoreContractTest, UnknownEventInCommitIsNamed) {
  InsertN(store(), 1);
  ProcessingCommit commit;
  commit.events.push_back(StatusUpdate("evt_0", EventStatus::kProcessed));
  commit.events.push_back(StatusUpdate("evt_unknown", EventStatus::kProcessed));
  util::Status status = store().CommitProcessing(commit);
  EXPECT_STATUS_CODE(status, kNotFound);
  EXPECT_NE(status.message().find("evt_unknown"), std::string::npos) << status.ToString();
}

TEST_P(StoreContractTest, EmptyCommitIsOk) { EXPECT_OK(store().CommitProcessing({})); }

TEST_P(StoreContractTest, RecordWithoutDocIsDeleted) {
  InsertN(store(), 1);
  ASSERT_OK(store().CommitProcessing(FullCommit("evt_0")));
  ProcessingCommit del;
  del.records.push_back(RecordWrite{"customers", "cus_1", std::nullopt});
  ASSERT_OK(store().CommitProcessing(del));
  ASSERT_OK_AND_ASSIGN(std::optional<RecordRow> gone, store().GetRecord("customers", "cus_1"));
  EXPECT_FALSE(gone.has_value());
}

TEST_P(StoreContractTest, ForEachRecordVisitsInTableThenKeyByteOrder) {
  ProcessingCommit commit;
  for (const char* key : {"b", "B", "a", "_z"}) {
    commit.records.push_back(RecordWrite{"subscriptions", key, "{}"});
  }
  commit.records.push_back(RecordWrite{"customers", "z", "{}"});
  ASSERT_OK(store().CommitProcessing(commit));
  std::vector<std::string> seen;
  ASSERT_OK(
      store().ForEachRecord([&](RecordRow&& row) { seen.push_back(row.table + "/" + row.key); }));
  EXPECT_EQ(seen, (std::vector<std::string>{"customers/z", "subscriptions/B", "subscriptions/_z",
                                            "subscriptions/a", "subscriptions/b"}));
}

TEST_P(StoreContractTest, ForEachEventInOrderIsByCreatedThenArrival) {
  // Arrival order: c2 (created 2), a1 (created 1), b1 (created 1), and 200 more to cross pages.
  ASSERT_OK(store().InsertEvent(MakeEvent("evt_c2", 2)));
  ASSERT_OK(store().InsertEvent(MakeEvent("evt_a1", 1)));
  ASSERT_OK(store().InsertEvent(MakeEvent("evt_b1", 1)));
  for (int i = 0; i < 200; ++i)
    ASSERT_OK(store().InsertEvent(MakeEvent("evt_x" + std::to_string(i), 10 + i)));
  std::vector<std::string> seen;
  ASSERT_OK(store().ForEachEventInOrder([&](StoredEvent&& e) {
    // The visitor may read the store meanwhile.
    EXPECT_OK(store().GetEvent(e.event.id));
    seen.push_back(e.event.id);
  }));
  ASSERT_EQ(seen.size(), 203u);
  EXPECT_EQ(std::vector<std::string>(seen.begin(), seen.begin() + 4),
            (std::vector<std::string>{"evt_a1", "evt_b1", "evt_c2", "evt_x0"}));
  EXPECT_EQ(seen.back(), "evt_x199");
}

TEST_P(StoreContractTest, RequeueOneNeedsAFailedOrDeadEvent) {
  InsertN(store(), 3);
  ProcessingCommit commit;
  commit.events.push_back(StatusUpdate("evt_0", EventStatus::kFailed, kNow + 100));
  commit.events.push_back(StatusUpdate("evt_1", EventStatus::kProcessed));
  ASSERT_OK(store().CommitProcessing(commit));
  ASSERT_OK_AND_ASSIGN(int64_t n, store().RequeueEvents(std::string("evt_0")));
  EXPECT_EQ(n, 1);
  ASSERT_OK_AND_ASSIGN(StoredEvent e, store().GetEvent("evt_0"));
  EXPECT_EQ(e.status, EventStatus::kPending);
  EXPECT_FALSE(e.next_attempt_at_us.has_value());
  EXPECT_EQ(e.attempts, 2);  // kept
  EXPECT_EQ(e.last_error, "boom");
  EXPECT_STATUS_CODE(store().RequeueEvents(std::string("evt_1")), kFailedPrecondition);
  EXPECT_STATUS_CODE(store().RequeueEvents(std::string("evt_9")), kNotFound);
}

TEST_P(StoreContractTest, RequeueAllTakesEveryFailedAndDeadEvent) {
  InsertN(store(), 4);
  ProcessingCommit commit;
  commit.events.push_back(StatusUpdate("evt_0", EventStatus::kFailed, kNow + 100));
  commit.events.push_back(StatusUpdate("evt_1", EventStatus::kDead));
  commit.events.push_back(StatusUpdate("evt_2", EventStatus::kProcessed));
  ASSERT_OK(store().CommitProcessing(commit));
  ASSERT_OK_AND_ASSIGN(int64_t n, store().RequeueEvents(std::nullopt));
  EXPECT_EQ(n, 2);
  ASSERT_OK_AND_ASSIGN(std::vector<StoredEvent> due, store().DueEvents(kNow, 10));
  EXPECT_EQ(Ids(due), (std::vector<std::string>{"evt_0", "evt_1", "evt_3"}));
}

TEST_P(StoreContractTest, BacklogCountsWhatAwaitsProcessing) {
  InsertN(store(), 4);
  ProcessingCommit commit = FullCommit("evt_0");  // processed, one outbox row
  commit.events.push_back(StatusUpdate("evt_1", EventStatus::kFailed, kNow + 100));
  commit.events.push_back(StatusUpdate("evt_2", EventStatus::kDead));
  ASSERT_OK(store().CommitProcessing(commit));
  ASSERT_OK_AND_ASSIGN(InboxBacklog backlog, store().Backlog());
  EXPECT_EQ(backlog.pending, 1);
  EXPECT_EQ(backlog.failed, 1);
  EXPECT_EQ(backlog.dead, 1);
  EXPECT_EQ(backlog.oldest_pending_received_us, MakeEvent("evt_3", 3).received_at_us);
  EXPECT_EQ(backlog.outbox_open, 1);
}

TEST_P(StoreContractTest, LatestEventForObjectIsTheNewestSnapshot) {
  // MakeEvent(n) is about sub_{n % 3}: sub_1 has created 1, 4 and 7 (arrival order 7, 1, 4).
  for (int n : {7, 1, 4}) {
    ASSERT_OK(store().InsertEvent(MakeEvent("evt_" + std::to_string(n), n)));
  }
  ASSERT_OK_AND_ASSIGN(std::optional<StoredEvent> latest, store().LatestEventForObject("sub_1"));
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->event.id, "evt_7");
  ASSERT_OK_AND_ASSIGN(std::optional<StoredEvent> none, store().LatestEventForObject("sub_x"));
  EXPECT_FALSE(none.has_value());
}

}  // namespace
}  // namespace stripehook::store::conformance
