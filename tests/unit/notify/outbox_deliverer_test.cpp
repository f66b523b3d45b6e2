// The deliverer's schedule over a real SQLite outbox and a manual clock: delivery per channel,
// retries with backoff, order per user and channel, deadline, dead rows. The channels here are
// in-process recorders (the real ones are exercised against real servers in
// tests/integration/notify_delivery_test.cpp).
#include "notify/outbox_deliverer.h"

#include <gtest/gtest.h>

#include "outbox_test_support.h"

namespace stripehook::notify {
namespace {

using store::OutboxStatus;

// Records what it was given; fails while `down` is set (for the users in `down_for`, or all).
class RecordingChannel final : public Channel {
 public:
  explicit RecordingChannel(std::string name, std::string only_type = "")
      : name_(std::move(name)), only_type_(std::move(only_type)) {}
  const std::string& name() const override { return name_; }
  bool Wants(const store::OutboxEntry& e) const override {
    return only_type_.empty() || e.type == only_type_;
  }
  util::Status Deliver(const Delivery& d) override {
    ++calls;
    if (down && (down_for.empty() || down_for == d.entry.user_id)) {
      return util::UnavailableError("down");
    }
    received.push_back(d.entry.id);
    return util::OkStatus();
  }
  std::vector<int64_t> received;
  int calls = 0;
  bool down = false;
  std::string down_for;

 private:
  std::string name_, only_type_;
};

class DelivererTest : public ::testing::Test, public OutboxStoreFixture {
 protected:
  // Builds a deliverer over the given recorders (owned by it; pointers kept for assertions).
  std::unique_ptr<OutboxDeliverer> Make(std::vector<RecordingChannel*> channels,
                                        DeliveryOptions options = {}) {
    std::vector<std::unique_ptr<Channel>> owned;
    for (RecordingChannel* c : channels) owned.emplace_back(c);
    options.seed = 7;
    return std::make_unique<OutboxDeliverer>(store_.get(), &clock_, std::move(owned), options,
                                             [this](const store::OutboxEntry& e) {
                                               alerted_.push_back(e.id);
                                               return util::OkStatus();
                                             });
  }
  void Advance(int64_t seconds) {
    clock_.SetUnixSeconds(clock_.NowUnixMicros() / 1'000'000 + seconds);
  }
  std::vector<int64_t> alerted_;
};

TEST_F(DelivererTest, EveryRowReachesEveryChannelThatWantsItOnce) {
  auto* hooks = new RecordingChannel("webhook:app");
  auto* redis = new RecordingChannel("redis", "access.changed");
  auto deliverer = Make({hooks, redis});
  Enqueue("access.changed", "u1");
  Enqueue("payment.succeeded", "u1");
  ASSERT_OK_AND_ASSIGN(int n, deliverer->RunOnce());
  EXPECT_EQ(n, 2);
  EXPECT_EQ(hooks->received, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(redis->received, (std::vector<int64_t>{1}));
  EXPECT_EQ(Get(1).status, OutboxStatus::kDelivered);
  EXPECT_EQ(Get(2).channels_done, std::vector<std::string>{"webhook:app"});
  ASSERT_OK_AND_ASSIGN(n, deliverer->RunOnce());
  EXPECT_EQ(n, 0);
  EXPECT_EQ(hooks->calls, 2);
}

TEST_F(DelivererTest, FailureIsRetriedAfterTheBackoffNotBefore) {
  auto* hooks = new RecordingChannel("webhook:app");
  auto deliverer = Make({hooks});
  Enqueue("payment.failed", "u1");
  hooks->down = true;
  ASSERT_OK(deliverer->RunOnce());
  store::OutboxEntry row = Get(1);
  EXPECT_EQ(row.status, OutboxStatus::kFailed);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(row.last_error, "webhook:app: down");
  int64_t now = clock_.NowUnixMicros();
  // 5 s initial backoff, jittered down by at most 20 %.
  EXPECT_GE(*row.next_attempt_at_us, now + 4'000'000);
  EXPECT_LE(*row.next_attempt_at_us, now + 5'000'000);
  hooks->down = false;
  Advance(3);
  ASSERT_OK(deliverer->RunOnce());
  EXPECT_EQ(hooks->calls, 1);  // not due yet
  Advance(3);
  ASSERT_OK(deliverer->RunOnce());
  EXPECT_EQ(hooks->received, std::vector<int64_t>{1});
  EXPECT_EQ(Get(1).status, OutboxStatus::kDelivered);
}

TEST_F(DelivererTest, BackoffDoublesAndIsCapped) {
  DeliveryOptions options;
  options.jitter = 0;
  options.initial_backoff_seconds = 5;
  options.max_backoff_seconds = 60;
  auto deliverer = Make({}, options);
  EXPECT_EQ(deliverer->RetryDelayMicros(1), 5'000'000);
  EXPECT_EQ(deliverer->RetryDelayMicros(2), 10'000'000);
  EXPECT_EQ(deliverer->RetryDelayMicros(4), 40'000'000);
  EXPECT_EQ(deliverer->RetryDelayMicros(5), 60'000'000);
  EXPECT_EQ(deliverer->RetryDelayMicros(500), 60'000'000);
}

TEST_F(DelivererTest, LaterRowsOfAUserWaitBehindAFailedOneOthersGoOn) {
  auto* hooks = new RecordingChannel("webhook:app");
  auto deliverer = Make({hooks});
  Enqueue("payment.failed", "u1");
  Enqueue("payment.succeeded", "u2");
  Enqueue("access.changed", "u1");
  hooks->down = true;
  hooks->down_for = "u1";
  ASSERT_OK(deliverer->RunOnce());
  EXPECT_EQ(hooks->received, std::vector<int64_t>{2});
  EXPECT_EQ(Get(3).status, OutboxStatus::kPending);  // held back, not attempted
  EXPECT_EQ(Get(3).attempts, 0);
  hooks->down = false;
  Advance(10);
  ASSERT_OK(deliverer->RunOnce());
  EXPECT_EQ(hooks->received, (std::vector<int64_t>{2, 1, 3}));
}

TEST_F(DelivererTest, RowsHeldBackAtTheHeadDoNotStopOtherUsersBehindThem) {
  auto* hooks = new RecordingChannel("webhook:app");
  DeliveryOptions options;
  options.batch_size = 2;  // the first page holds only rows of the stuck user
  auto deliverer = Make({hooks}, options);
  for (int i = 0; i < 5; ++i) Enqueue("access.changed", "stuck");
  Enqueue("access.changed", "fine");
  hooks->down = true;
  hooks->down_for = "stuck";
  ASSERT_OK(deliverer->RunOnce());
  EXPECT_EQ(hooks->received, std::vector<int64_t>{6});
  EXPECT_EQ(Get(1).status, OutboxStatus::kFailed);
  EXPECT_EQ(Get(2).attempts, 0);  // held back behind row 1, never attempted
}

TEST_F(DelivererTest, AChannelThatTookARowNeverGetsItAgain) {
  auto* hooks = new RecordingChannel("webhook:app");
  auto* mail = new RecordingChannel("email");
  auto deliverer = Make({hooks, mail});
  Enqueue("payment.succeeded", "u1");
  mail->down = true;
  ASSERT_OK(deliverer->RunOnce());
  EXPECT_EQ(Get(1).channels_done, std::vector<std::string>{"webhook:app"});
  mail->down = false;
  Advance(10);
  ASSERT_OK(deliverer->RunOnce());
  EXPECT_EQ(hooks->calls, 1);
  EXPECT_EQ(mail->received, std::vector<int64_t>{1});
  EXPECT_EQ(Get(1).status, OutboxStatus::kDelivered);
}

TEST_F(DelivererTest, PastTheDeadlineARowIsDeadAlertedAndReleasesTheUser) {
  DeliveryOptions options;
  options.deadline_seconds = 60;
  auto* hooks = new RecordingChannel("webhook:app");
  auto deliverer = Make({hooks}, options);
  Enqueue("payment.failed", "u1");
  Enqueue("access.changed", "u1");
  hooks->down = true;
  for (int i = 0; i < 20 && Get(1).status != OutboxStatus::kDead; ++i) {
    ASSERT_OK(deliverer->RunOnce());
    Advance(30);
  }
  EXPECT_EQ(Get(1).status, OutboxStatus::kDead);
  EXPECT_EQ(alerted_, std::vector<int64_t>{1});
  hooks->down = false;
  ASSERT_OK(deliverer->RunOnce());
  EXPECT_EQ(hooks->received, std::vector<int64_t>{2});
  // Requeued by an operator, the dead row is delivered once more.
  ASSERT_OK(store_->RequeueOutbox(1));
  ASSERT_OK(deliverer->RunOnce());
  EXPECT_EQ(hooks->received, (std::vector<int64_t>{2, 1}));
}

TEST_F(DelivererTest, RowsNoChannelWantsAreClosed) {
  auto deliverer = Make({});
  Enqueue("access.changed", "u1");
  ASSERT_OK(deliverer->RunOnce());
  EXPECT_EQ(Get(1).status, OutboxStatus::kDelivered);
}

TEST_F(DelivererTest, BackgroundWorkerDeliversWhatIsEnqueued) {
  auto* hooks = new RecordingChannel("webhook:app");
  DeliveryOptions options;
  options.poll_interval = std::chrono::milliseconds(10);
  auto deliverer = Make({hooks}, options);
  deliverer->Start();
  Enqueue("access.changed", "u1");
  deliverer->Notify();
  for (int i = 0; i < 3000 && Get(1).status != OutboxStatus::kDelivered; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  deliverer->Stop();
  EXPECT_EQ(Get(1).status, OutboxStatus::kDelivered);
}

}  // namespace
}  // namespace stripehook::notify
