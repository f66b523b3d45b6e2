// The outbox half of the Store contract (store.h, outbox.h): OpenOutbox, UpdateOutbox, ListOutbox,
// GetOutbox, RequeueOutbox, on every backend. (Moved here from tests/unit/notify, where it ran on
// SQLite only; every assertion kept.)
#include "store_backends.h"

namespace stripehook::store::conformance {
namespace {

class OutboxContractTest : public StoreContractTest {
 protected:
  // Appends one row as processing does; ids follow production order (1, 2, ...).
  void Enqueue(const std::string& type, const std::string& user, const std::string& body = "{}") {
    ProcessingCommit commit;
    commit.outbox.push_back({"evt_" + type, type, user, body, clock_.NowUnixMicros()});
    ASSERT_OK(store().CommitProcessing(std::move(commit)));
  }
  OutboxEntry Get(int64_t id) {
    util::StatusOr<OutboxEntry> entry = store().GetOutbox(id);
    EXPECT_OK(entry.status());
    return entry.ok() ? *entry : OutboxEntry{};
  }
};

TEST_P(OutboxContractTest, OpenRowsComeInProductionOrderAndLeaveWhenDelivered) {
  Enqueue("access.changed", "u1");
  Enqueue("payment.failed", "u2");
  Enqueue("payment.succeeded", "u1");
  ASSERT_OK_AND_ASSIGN(auto open, store().OpenOutbox(0, 10));
  ASSERT_EQ(open.size(), 3u);
  EXPECT_EQ(open[0].id, 1);
  EXPECT_EQ(open[1].type, "payment.failed");
  EXPECT_EQ(open[2].user_id, "u1");
  EXPECT_EQ(open[0].status, OutboxStatus::kPending);

  OutboxUpdate delivered{1,
                         OutboxStatus::kDelivered,
                         1,
                         std::nullopt,
                         std::nullopt,
                         clock_.NowUnixMicros(),
                         {"webhook:app", "redis"}};
  OutboxUpdate failed{2,      OutboxStatus::kFailed, 1,        clock_.NowUnixMicros() + 5,
                      "down", std::nullopt,          {"redis"}};
  ASSERT_OK(store().UpdateOutbox({delivered, failed}));
  ASSERT_OK_AND_ASSIGN(open, store().OpenOutbox(0, 10));
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].id, 2);
  EXPECT_EQ(open[0].status, OutboxStatus::kFailed);
  EXPECT_EQ(open[0].last_error, "down");
  EXPECT_EQ(open[0].next_attempt_at_us, clock_.NowUnixMicros() + 5);
  EXPECT_EQ(open[0].channels_done, std::vector<std::string>{"redis"});
  EXPECT_EQ(Get(1).channels_done, (std::vector<std::string>{"webhook:app", "redis"}));
  EXPECT_EQ(Get(1).delivered_at_us, clock_.NowUnixMicros());
}

TEST_P(OutboxContractTest, GetReturnsEveryFieldAndNotFoundForAnUnknownId) {
  Enqueue("access.changed", "user_9", R"({"user_id":"user_9","access":true})");
  OutboxEntry got = Get(1);
  EXPECT_EQ(got.id, 1);
  EXPECT_EQ(got.event_id, "evt_access.changed");
  EXPECT_EQ(got.type, "access.changed");
  EXPECT_EQ(got.user_id, "user_9");
  EXPECT_EQ(got.body, R"({"user_id":"user_9","access":true})");
  EXPECT_EQ(got.status, OutboxStatus::kPending);
  EXPECT_EQ(got.attempts, 0);
  EXPECT_FALSE(got.next_attempt_at_us.has_value());
  EXPECT_FALSE(got.last_error.has_value());
  EXPECT_EQ(got.created_at_us, kNow);
  EXPECT_FALSE(got.delivered_at_us.has_value());
  EXPECT_TRUE(got.channels_done.empty());
  EXPECT_STATUS_CODE(store().GetOutbox(2), kNotFound);
}

TEST_P(OutboxContractTest, LimitIsRespectedAndMustBePositive) {
  for (int i = 0; i < 5; ++i) Enqueue("access.changed", "u" + std::to_string(i));
  ASSERT_OK_AND_ASSIGN(auto open, store().OpenOutbox(0, 2));
  EXPECT_EQ(open.size(), 2u);
  ASSERT_OK_AND_ASSIGN(open, store().OpenOutbox(2, 10));  // after id 2
  ASSERT_EQ(open.size(), 3u);
  EXPECT_EQ(open[0].id, 3);
  EXPECT_STATUS_CODE(store().OpenOutbox(0, 0), kInvalidArgument);
}

TEST_P(OutboxContractTest, OpenRowsIncludeFailedOnesNotYetDue) {
  Enqueue("access.changed", "u1");
  Enqueue("access.changed", "u2");
  Enqueue("access.changed", "u3");
  OutboxUpdate later{1, OutboxStatus::kFailed, 1, kNow + 3'600'000'000, "503", std::nullopt, {}};
  OutboxUpdate dead{2, OutboxStatus::kDead, 7, std::nullopt, "gone", std::nullopt, {}};
  ASSERT_OK(store().UpdateOutbox({later, dead}));
  ASSERT_OK_AND_ASSIGN(auto open, store().OpenOutbox(0, 10));
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].id, 1);  // the caller holds it back; the store does not
  EXPECT_EQ(open[1].id, 3);
}

TEST_P(OutboxContractTest, UpdateOfUnknownRowIsNotFoundAndWritesNothing) {
  Enqueue("access.changed", "u1");
  OutboxUpdate ok{1, OutboxStatus::kDelivered, 1, {}, {}, 1, {}};
  OutboxUpdate missing{99, OutboxStatus::kDelivered, 1, {}, {}, 1, {}};
  EXPECT_STATUS_CODE(store().UpdateOutbox({ok, missing}), kNotFound);
  EXPECT_EQ(Get(1).status, OutboxStatus::kPending);
  // The store keeps working after the failed transaction; an empty update is OK.
  EXPECT_OK(store().UpdateOutbox({ok}));
  EXPECT_EQ(Get(1).status, OutboxStatus::kDelivered);
  EXPECT_OK(store().UpdateOutbox({}));
}

TEST_P(OutboxContractTest, UpdatesSurviveReopening) {
  Enqueue("access.changed", "u1");
  OutboxUpdate failed{1, OutboxStatus::kFailed, 3, kNow + 10, "timeout", std::nullopt, {"email"}};
  ASSERT_OK(store().UpdateOutbox({failed}));
  store_.reset();
  ASSERT_OK_AND_ASSIGN(store_, Open());
  OutboxEntry got = Get(1);
  EXPECT_EQ(got.status, OutboxStatus::kFailed);
  EXPECT_EQ(got.attempts, 3);
  EXPECT_EQ(got.next_attempt_at_us, kNow + 10);
  EXPECT_EQ(got.last_error, "timeout");
  EXPECT_EQ(got.channels_done, std::vector<std::string>{"email"});
}

TEST_P(OutboxContractTest, ListFiltersAndPagesNewestFirst) {
  for (int i = 0; i < 5; ++i) Enqueue("access.changed", i % 2 == 0 ? "even" : "odd");
  OutboxFilter filter;
  filter.user_id = "even";
  filter.limit = 2;
  ASSERT_OK_AND_ASSIGN(OutboxPage page, store().ListOutbox(filter));
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.entries[0].id, 5);
  EXPECT_EQ(page.entries[1].id, 3);
  EXPECT_TRUE(page.has_more);
  filter.starting_after = 3;
  ASSERT_OK_AND_ASSIGN(page, store().ListOutbox(filter));
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].id, 1);
  EXPECT_FALSE(page.has_more);
  filter = {};
  filter.status = OutboxStatus::kDead;
  ASSERT_OK_AND_ASSIGN(page, store().ListOutbox(filter));
  EXPECT_TRUE(page.entries.empty());
  ASSERT_OK(store().UpdateOutbox({OutboxUpdate{4, OutboxStatus::kDead, 9, {}, "gone", {}, {}}}));
  ASSERT_OK_AND_ASSIGN(page, store().ListOutbox(filter));
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].id, 4);
  filter.limit = 0;
  EXPECT_STATUS_CODE(store().ListOutbox(filter), kInvalidArgument);
  filter.limit = 1001;
  EXPECT_STATUS_CODE(store().ListOutbox(filter), kInvalidArgument);
}

TEST_P(OutboxContractTest, RequeueRevivesDeadRowsKeepingTheirChannels) {
  Enqueue("access.changed", "u1");
  Enqueue("access.changed", "u2");
  OutboxUpdate dead{1, OutboxStatus::kDead, 9, {}, "gone", {}, {"redis"}};
  ASSERT_OK(store().UpdateOutbox({dead}));
  EXPECT_STATUS_CODE(store().RequeueOutbox(2), kFailedPrecondition);
  EXPECT_STATUS_CODE(store().RequeueOutbox(77), kNotFound);
  ASSERT_OK_AND_ASSIGN(int64_t n, store().RequeueOutbox(1));
  EXPECT_EQ(n, 1);
  OutboxEntry revived = Get(1);
  EXPECT_EQ(revived.status, OutboxStatus::kPending);
  EXPECT_EQ(revived.attempts, 0);
  EXPECT_FALSE(revived.next_attempt_at_us.has_value());
  EXPECT_EQ(revived.channels_done, std::vector<std::string>{"redis"});
  ASSERT_OK(store().UpdateOutbox({dead}));
  ASSERT_OK_AND_ASSIGN(n, store().RequeueOutbox(std::nullopt));
  EXPECT_EQ(n, 1);
}

TEST_P(OutboxContractTest, RequeueByIdTakesAFailedRowButRequeueAllOnlyDeadOnes) {
  Enqueue("access.changed", "u1");
  Enqueue("access.changed", "u2");
  OutboxUpdate failed{1, OutboxStatus::kFailed, 4, kNow + 60, "503", std::nullopt, {}};
  ASSERT_OK(store().UpdateOutbox({failed}));
  ASSERT_OK_AND_ASSIGN(int64_t n, store().RequeueOutbox(std::nullopt));
  EXPECT_EQ(n, 0);
  EXPECT_EQ(Get(1).status, OutboxStatus::kFailed);
  ASSERT_OK_AND_ASSIGN(n, store().RequeueOutbox(1));
  EXPECT_EQ(n, 1);
  EXPECT_EQ(Get(1).status, OutboxStatus::kPending);
  EXPECT_EQ(Get(1).attempts, 0);
  EXPECT_EQ(Get(1).last_error, "503");  // kept for the operator
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxContractTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace stripehook::store::conformance
