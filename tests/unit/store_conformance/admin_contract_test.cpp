// The admin half of the Store contract (store.h, admin_types.h): ListEventsForAdmin, StatsSince,
// CleanupEvents, on every backend.
#include <atomic>
#include <future>

#include "store_backends.h"

namespace stripehook::store::conformance {
namespace {

constexpr int64_t kReceived0 = 1'700'000'000'000'000;  // MakeEvent(id, 0).received_at_us
constexpr int64_t kCreated0 = 1'700'000'000;           // MakeEvent(id, 0).created

// An id and an object id with every character an array literal or JSON would need escaped.
const std::string kOddId = "evt_\"q\\,{}' x";
const std::string kOddObject = "sub_\"{a,b}\\ NULL";

class AdminContractTest : public StoreContractTest {
 protected:
  // Inserts all of `events` through the group-commit writer at once and waits for every commit.
  void InsertAll(const std::vector<NewEvent>& events) {
    std::atomic<int> left{static_cast<int>(events.size())}, errors{0};
    std::promise<void> done;
    for (const NewEvent& e : events) {
      store().InsertEventAsync(e, [&](util::StatusOr<InsertOutcome> outcome) {
        if (!outcome.ok() || *outcome != InsertOutcome::kInserted) ++errors;
        if (--left == 0) done.set_value();
      });
    }
    done.get_future().wait();
    ASSERT_EQ(errors.load(), 0);
  }
  void SetStatuses(const std::vector<std::pair<std::string, EventStatus>>& statuses) {
    ProcessingCommit commit;
    for (const auto& [id, status] : statuses) commit.events.push_back(StatusUpdate(id, status));
    ASSERT_OK(store().CommitProcessing(commit));
  }
  // Ten events: evt_0..evt_9 in arrival order, created and received_at growing with n, object
  // sub_{n % 3}, odd ones of type invoice.paid; evt_8 is about kOddObject.
  void InsertTen() {
    std::vector<NewEvent> events;
    for (int n = 0; n < 10; ++n) {
      NewEvent e = MakeEvent("evt_" + std::to_string(n), n);
      if (n % 2 == 1) e.type = "invoice.paid";
      if (n == 8) e.object_id = kOddObject;
      events.push_back(e);
    }
    // One by one: the contract orders by arrival, and one batch could hold them in any order.
    for (const NewEvent& e : events) ASSERT_OK(store().InsertEvent(e));
  }
  std::vector<std::string> List(AdminEventFilter filter) {
    util::StatusOr<EventPage> page = store().ListEventsForAdmin(filter);
    EXPECT_OK(page.status());
    return page.ok() ? Ids(page->events) : std::vector<std::string>{"error"};
  }
};

TEST_P(AdminContractTest, ListIsNewestFirstAndPagesWithACursor) {
  InsertTen();
  AdminEventFilter filter;
  filter.limit = 4;
  ASSERT_OK_AND_ASSIGN(EventPage page, store().ListEventsForAdmin(filter));
  EXPECT_EQ(Ids(page.events), (std::vector<std::string>{"evt_9", "evt_8", "evt_7", "evt_6"}));
  EXPECT_TRUE(page.has_more);
  EXPECT_EQ(page.events[1].event.object_id, kOddObject);
  EXPECT_EQ(page.events[0].event.payload, MakeEvent("evt_9", 9).payload);
  filter.starting_after = "evt_6";
  filter.limit = 6;
  ASSERT_OK_AND_ASSIGN(page, store().ListEventsForAdmin(filter));
  EXPECT_EQ(Ids(page.events),
            (std::vector<std::string>{"evt_5", "evt_4", "evt_3", "evt_2", "evt_1", "evt_0"}));
  EXPECT_FALSE(page.has_more);
  filter.starting_after = "evt_0";
  ASSERT_OK_AND_ASSIGN(page, store().ListEventsForAdmin(filter));
  EXPECT_TRUE(page.events.empty());
  EXPECT_FALSE(page.has_more);
}

TEST_P(AdminContractTest, ListRefusesBadLimitsAndUnknownCursors) {
  InsertTen();
  AdminEventFilter filter;
  filter.limit = 0;
  EXPECT_STATUS_CODE(store().ListEventsForAdmin(filter), kInvalidArgument);
  filter.limit = 1001;
  EXPECT_STATUS_CODE(store().ListEventsForAdmin(filter), kInvalidArgument);
  filter.limit = 1000;
  EXPECT_EQ(List(filter).size(), 10u);
  filter.starting_after = "evt_nope";
  EXPECT_STATUS_CODE(store().ListEventsForAdmin(filter), kInvalidArgument);
  filter = {};
  for (int i = 0; i < 501; ++i) filter.object_ids_any.push_back("sub_" + std::to_string(i));
  EXPECT_STATUS_CODE(store().ListEventsForAdmin(filter), kInvalidArgument);
  filter.object_ids_any.pop_back();
  EXPECT_EQ(List(filter), (std::vector<std::string>{"evt_9", "evt_7", "evt_6", "evt_5", "evt_4",
                                                    "evt_3", "evt_2", "evt_1", "evt_0"}));
}

TEST_P(AdminContractTest, ListFiltersByStatusTypeAndObjects) {
  InsertTen();
  SetStatuses({{"evt_1", EventStatus::kFailed},
               {"evt_2", EventStatus::kFailed},
               {"evt_3", EventStatus::kProcessed},
               {"evt_5", EventStatus::kFailed}});
  AdminEventFilter filter;
  filter.status = EventStatus::kFailed;
  EXPECT_EQ(List(filter), (std::vector<std::string>{"evt_5", "evt_2", "evt_1"}));
  filter.type = "invoice.paid";
  EXPECT_EQ(List(filter), (std::vector<std::string>{"evt_5", "evt_1"}));
  filter.status.reset();
  EXPECT_EQ(List(filter), (std::vector<std::string>{"evt_9", "evt_7", "evt_5", "evt_3", "evt_1"}));
  filter = {};
  filter.object_id = "sub_1";
  EXPECT_EQ(List(filter), (std::vector<std::string>{"evt_7", "evt_4", "evt_1"}));
  filter = {};
  filter.object_ids_any = {"sub_1", kOddObject, "sub_unknown"};
  EXPECT_EQ(List(filter), (std::vector<std::string>{"evt_8", "evt_7", "evt_4", "evt_1"}));
  filter.object_ids_any = {kOddObject};
  EXPECT_EQ(List(filter), (std::vector<std::string>{"evt_8"}));
  filter.object_ids_any = {"sub_unknown"};
  EXPECT_TRUE(List(filter).empty());
  filter.object_ids_any = {"sub_0"};
  filter.status = EventStatus::kPending;
  EXPECT_EQ(List(filter), (std::vector<std::string>{"evt_9", "evt_6", "evt_0"}));
}

TEST_P(AdminContractTest, ListFiltersByCreatedAndArrivalTime) {
  InsertTen();
  AdminEventFilter filter;
  filter.created_gte = kCreated0 + 3;
  filter.created_lt = kCreated0 + 6;
  EXPECT_EQ(List(filter), (std::vector<std::string>{"evt_5", "evt_4", "evt_3"}));
  filter = {};
  filter.received_gte_us = kReceived0 + 2;
  filter.received_lt_us = kReceived0 + 5;
  EXPECT_EQ(List(filter), (std::vector<std::string>{"evt_4", "evt_3", "evt_2"}));
  filter.received_lt_us.reset();
  filter.limit = 2;
  ASSERT_OK_AND_ASSIGN(EventPage page, store().ListEventsForAdmin(filter));
  EXPECT_EQ(Ids(page.events), (std::vector<std::string>{"evt_9", "evt_8"}));
  EXPECT_TRUE(page.has_more);
  filter.limit = 100;
  filter.received_gte_us = kReceived0 + 100;  // after every arrival
  EXPECT_TRUE(List(filter).empty());
  filter = {};
  filter.received_lt_us = kReceived0;  // before every arrival
  EXPECT_TRUE(List(filter).empty());
  filter.received_lt_us = kReceived0 + 1;
  filter.type = "customer.subscription.updated";
  EXPECT_EQ(List(filter), (std::vector<std::string>{"evt_0"}));
}

TEST_P(AdminContractTest, StatsCountTheWindowByStatusAndTypeWithLatencies) {
  InsertTen();
  SetStatuses({{"evt_1", EventStatus::kProcessed},  // before the window
               {"evt_4", EventStatus::kProcessed},
               {"evt_5", EventStatus::kProcessed},
               {"evt_6", EventStatus::kFailed},
               {"evt_7", EventStatus::kDead}});
  ASSERT_OK_AND_ASSIGN(EventWindowStats stats, store().StatsSince(kReceived0 + 4));
  EXPECT_EQ(stats.total, 6);
  EXPECT_EQ(stats.by_status, (std::map<std::string, int64_t>{
                                 {"processed", 2}, {"failed", 1}, {"dead", 1}, {"pending", 2}}));
  EXPECT_EQ(stats.by_type["invoice.paid"],
            (std::map<std::string, int64_t>{{"processed", 1}, {"dead", 1}, {"pending", 1}}));
  EXPECT_EQ(stats.by_type["customer.subscription.updated"],
            (std::map<std::string, int64_t>{{"processed", 1}, {"failed", 1}, {"pending", 1}}));
  EXPECT_EQ(stats.by_type.size(), 2u);
  // StatusUpdate stamps processed_at = kNow: latency is kNow - received_at, sorted ascending.
  EXPECT_EQ(stats.processing_latency_us,
            (std::vector<int64_t>{kNow - (kReceived0 + 5), kNow - (kReceived0 + 4)}));
  ASSERT_OK_AND_ASSIGN(EventWindowStats empty, store().StatsSince(kReceived0 + 10));
  EXPECT_EQ(empty.total, 0);
  EXPECT_TRUE(empty.by_status.empty());
  EXPECT_TRUE(empty.processing_latency_us.empty());
}

// One object's history, cleaned up before `cutoff`: only what a newer processed snapshot
// supersedes goes; every other kind of event stays.
TEST_P(AdminContractTest, CleanupDeletesOnlySupersededProcessedEvents) {
  auto event = [](const std::string& id, const std::string& object, int64_t created,
                  int64_t received) {
    NewEvent e = MakeEvent(id, 0);
    e.object_id = object;
    e.created = kCreated0 + created;
    e.received_at_us = kReceived0 + received;
    return e;
  };
  NewEvent deleted_customer = event("a_deleted", "A", 4, 7);
  deleted_customer.type = "customer.deleted";
  std::vector<NewEvent> events = {event("a_old", "A", 1, 1),
                                  event("a_stale", "A", 2, 2),
                                  event("a_ignored", "A", 2, 3),
                                  event("a_failed", "A", 3, 4),
                                  event("a_dead", "A", 3, 5),
                                  event("a_pending", "A", 3, 6),
                                  deleted_customer,
                                  event(kOddId, "A", 4, 8),
                                  event("a_new", "A", 9, 9),
                                  event("a_late", "A", 5, 100),
                                  event("b_only", "B", 1, 10),
                                  event("c_first", "C", 7, 11),
                                  event("c_second", "C", 7, 12),
                                  event("d_newer_failed", "D", 8, 13),
                                  event("d_processed", "D", 1, 14)};
  for (const NewEvent& e : events) ASSERT_OK(store().InsertEvent(e));
  using S = EventStatus;
  SetStatuses({{"a_old", S::kProcessed},
               {"a_stale", S::kStale},
               {"a_ignored", S::kIgnored},
               {"a_failed", S::kFailed},
               {"a_dead", S::kDead},
               {"a_deleted", S::kProcessed},
               {kOddId, S::kProcessed},
               {"a_new", S::kProcessed},
               {"a_late", S::kProcessed},
               {"b_only", S::kProcessed},
               {"c_first", S::kProcessed},
               {"c_second", S::kProcessed},
               {"d_newer_failed", S::kFailed},
               {"d_processed", S::kProcessed}});
  std::set<std::string> keep = {kOddId, "evt_not_stored"};
  for (int i = 0; i < 5000; ++i) keep.insert("evt_filler_" + std::to_string(i));
  const int64_t cutoff = kReceived0 + 50;
  ASSERT_OK_AND_ASSIGN(int64_t deleted, store().CleanupEvents(cutoff, keep));
  EXPECT_EQ(deleted, 4);
  for (const char* gone : {"a_old", "a_stale", "a_ignored", "c_first"}) {
    EXPECT_STATUS_CODE(store().GetEvent(gone), kNotFound) << gone;
  }
  for (const NewEvent& e : events) {
    if (e.id == "a_old" || e.id == "a_stale" || e.id == "a_ignored" || e.id == "c_first") continue;
    EXPECT_OK(store().GetEvent(e.id)) << e.id;
  }
  ASSERT_OK_AND_ASSIGN(deleted, store().CleanupEvents(cutoff, keep));
  EXPECT_EQ(deleted, 0);
  // Without the keep-set, the kept snapshot goes too (a_new supersedes it).
  ASSERT_OK_AND_ASSIGN(deleted, store().CleanupEvents(cutoff, {}));
  EXPECT_EQ(deleted, 1);
  EXPECT_STATUS_CODE(store().GetEvent(kOddId), kNotFound);
}

TEST_P(AdminContractTest, CleanupWorksThroughMoreThanOneBatch) {
  constexpr int kOld = 2100;  // past one cleanup transaction of 2000 rows
  std::vector<NewEvent> events;
  ProcessingCommit commit;
  for (int n = 0; n <= kOld; ++n) {
    NewEvent e = MakeEvent("evt_" + std::to_string(n), n);
    e.object_id = "sub_many";
    events.push_back(e);
    commit.events.push_back(StatusUpdate(e.id, EventStatus::kProcessed));
  }
  InsertAll(events);
  ASSERT_OK(store().CommitProcessing(commit));
  ASSERT_OK_AND_ASSIGN(int64_t deleted, store().CleanupEvents(kReceived0 + 1'000'000, {}));
  EXPECT_EQ(deleted, kOld);
  ASSERT_OK_AND_ASSIGN(int64_t left, store().CountEvents());
  EXPECT_EQ(left, 1);
  EXPECT_OK(store().GetEvent("evt_" + std::to_string(kOld)));  // the newest snapshot stays
}

INSTANTIATE_TEST_SUITE_P(Backends, AdminContractTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace stripehook::store::conformance
