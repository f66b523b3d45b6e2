// The SQLite store's outbox delivery methods: open rows in order, per-channel state, listing,
// requeueing.
#include <gtest/gtest.h>

#include "outbox_test_support.h"

namespace stripehook::notify {
namespace {

using store::OutboxStatus;

class OutboxStoreTest : public ::testing::Test, public OutboxStoreFixture {};

TEST_F(OutboxStoreTest, OpenRowsComeInProductionOrderAndLeaveWhenDelivered) {
  Enqueue("access.changed", "u1");
  Enqueue("payment.failed", "u2");
  Enqueue("payment.succeeded", "u1");
  ASSERT_OK_AND_ASSIGN(auto open, store_->OpenOutbox(0, 10));
  ASSERT_EQ(open.size(), 3u);
  EXPECT_EQ(open[0].id, 1);
  EXPECT_EQ(open[1].type, "payment.failed");
  EXPECT_EQ(open[2].user_id, "u1");
  EXPECT_EQ(open[0].status, OutboxStatus::kPending);

  store::OutboxUpdate delivered{1,
                                OutboxStatus::kDelivered,
                                1,
                                std::nullopt,
                                std::nullopt,
                                clock_.NowUnixMicros(),
                                {"webhook:app", "redis"}};
  store::OutboxUpdate failed{2,      OutboxStatus::kFailed, 1,        clock_.NowUnixMicros() + 5,
                             "down", std::nullopt,          {"redis"}};
  ASSERT_OK(store_->UpdateOutbox({delivered, failed}));
  ASSERT_OK_AND_ASSIGN(open, store_->OpenOutbox(0, 10));
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].id, 2);
  EXPECT_EQ(open[0].status, OutboxStatus::kFailed);
  EXPECT_EQ(open[0].last_error, "down");
  EXPECT_EQ(open[0].channels_done, std::vector<std::string>{"redis"});
  EXPECT_EQ(Get(1).channels_done, (std::vector<std::string>{"webhook:app", "redis"}));
  EXPECT_EQ(Get(1).delivered_at_us, clock_.NowUnixMicros());
}

TEST_F(OutboxStoreTest, LimitIsRespectedAndMustBePositive) {
  for (int i = 0; i < 5; ++i) Enqueue("access.changed", "u" + std::to_string(i));
  ASSERT_OK_AND_ASSIGN(auto open, store_->OpenOutbox(0, 2));
  EXPECT_EQ(open.size(), 2u);
  ASSERT_OK_AND_ASSIGN(open, store_->OpenOutbox(2, 10));  // after id 2
  ASSERT_EQ(open.size(), 3u);
  EXPECT_EQ(open[0].id, 3);
  EXPECT_EQ(store_->OpenOutbox(0, 0).status().code(), util::StatusCode::kInvalidArgument);
}

TEST_F(OutboxStoreTest, UpdateOfUnknownRowIsNotFoundAndWritesNothing) {
  Enqueue("access.changed", "u1");
  store::OutboxUpdate ok{1, OutboxStatus::kDelivered, 1, {}, {}, 1, {}};
  store::OutboxUpdate missing{99, OutboxStatus::kDelivered, 1, {}, {}, 1, {}};
  EXPECT_EQ(store_->UpdateOutbox({ok, missing}).code(), util::StatusCode::kNotFound);
  EXPECT_EQ(Get(1).status, OutboxStatus::kPending);
}

TEST_F(OutboxStoreTest, ListFiltersAndPagesNewestFirst) {
  for (int i = 0; i < 5; ++i) Enqueue("access.changed", i % 2 == 0 ? "even" : "odd");
  store::OutboxFilter filter;
  filter.user_id = "even";
  filter.limit = 2;
  ASSERT_OK_AND_ASSIGN(store::OutboxPage page, store_->ListOutbox(filter));
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.entries[0].id, 5);
  EXPECT_EQ(page.entries[1].id, 3);
  EXPECT_TRUE(page.has_more);
  filter.starting_after = 3;
  ASSERT_OK_AND_ASSIGN(page, store_->ListOutbox(filter));
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].id, 1);
  EXPECT_FALSE(page.has_more);
  filter = {};
  filter.status = OutboxStatus::kDead;
  ASSERT_OK_AND_ASSIGN(page, store_->ListOutbox(filter));
  EXPECT_TRUE(page.entries.empty());
  filter.limit = 0;
  EXPECT_EQ(store_->ListOutbox(filter).status().code(), util::StatusCode::kInvalidArgument);
}

TEST_F(OutboxStoreTest, RequeueRevivesDeadRowsKeepingTheirChannels) {
  Enqueue("access.changed", "u1");
  Enqueue("access.changed", "u2");
  store::OutboxUpdate dead{1, OutboxStatus::kDead, 9, {}, "gone", {}, {"redis"}};
  ASSERT_OK(store_->UpdateOutbox({dead}));
  EXPECT_EQ(store_->RequeueOutbox(2).status().code(), util::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->RequeueOutbox(77).status().code(), util::StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(int64_t n, store_->RequeueOutbox(1));
  EXPECT_EQ(n, 1);
  store::OutboxEntry revived = Get(1);
  EXPECT_EQ(revived.status, OutboxStatus::kPending);
  EXPECT_EQ(revived.attempts, 0);
  EXPECT_EQ(revived.channels_done, std::vector<std::string>{"redis"});
  ASSERT_OK(store_->UpdateOutbox({dead}));
  ASSERT_OK_AND_ASSIGN(n, store_->RequeueOutbox(std::nullopt));
  EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace stripehook::notify
