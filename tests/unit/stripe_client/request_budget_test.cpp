#include "stripe/client/request_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "support/status_matchers.h"

namespace stripehook::stripe {
namespace {

using std::chrono::steady_clock;

TEST(RequestBudgetTest, RejectsNonsense) {
  EXPECT_FALSE(RequestBudget::Create(0, 1).ok());
  EXPECT_FALSE(RequestBudget::Create(-3, 1).ok());
  EXPECT_FALSE(RequestBudget::Create(5, 0).ok());
}

// The bucket bounds how fast tokens go out: N tokens from a full bucket of `burst` cannot all be
// taken before (N - burst) / rate seconds have passed, however many threads ask. (Load on the
// machine can only make it slower, so this bound never flakes.)
TEST(RequestBudgetTest, NeverHandsOutMoreThanTheRate) {
  ASSERT_OK_AND_ASSIGN(auto budget, RequestBudget::Create(20, 2));
  constexpr int kThreads = 4, kEach = 8;
  std::atomic<int> taken{0};
  auto start = steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Priority p = t % 2 == 0 ? Priority::kLive : Priority::kBackfill;
      for (int i = 0; i < kEach; ++i) {
        if (budget->Acquire(p).ok()) taken.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::chrono::duration<double> elapsed = steady_clock::now() - start;
  EXPECT_EQ(taken.load(), kThreads * kEach);
  EXPECT_GE(elapsed.count(), (kThreads * kEach - 2) / 20.0 - 0.001);
}

TEST(RequestBudgetTest, GivesUpAfterMaxWait) {
  ASSERT_OK_AND_ASSIGN(auto budget, RequestBudget::Create(0.1, 1));  // one token per 10 s
  EXPECT_OK(budget->Acquire(Priority::kLive));
  util::Status late = budget->Acquire(Priority::kLive, std::chrono::milliseconds(50));
  EXPECT_EQ(late.code(), util::StatusCode::kDeadlineExceeded) << late.ToString();
  EXPECT_EQ(budget->Waiting(Priority::kLive), 0);
}

// Three backfill callers wait; a live caller arrives after them and still gets the next token.
// The backfill callers give up before the token after that (one per 2 s).
TEST(RequestBudgetTest, LiveGoesAheadOfWaitingBackfill) {
  ASSERT_OK_AND_ASSIGN(auto budget, RequestBudget::Create(0.5, 1));
  ASSERT_OK(budget->Acquire(Priority::kLive));  // empties the bucket
  std::atomic<int> backfill_ok{0}, backfill_before_live{0};
  std::atomic<bool> live_done{false};
  std::vector<std::thread> backfill;
  for (int i = 0; i < 3; ++i) {
    backfill.emplace_back([&] {
      if (budget->Acquire(Priority::kBackfill, std::chrono::milliseconds(3000)).ok()) {
        backfill_ok.fetch_add(1);
        if (!live_done.load()) backfill_before_live.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 3000 && budget->Waiting(Priority::kBackfill) < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(budget->Waiting(Priority::kBackfill), 3);
  util::Status live = budget->Acquire(Priority::kLive, std::chrono::seconds(10));
  live_done.store(true);
  for (auto& t : backfill) t.join();
  EXPECT_OK(live);
  EXPECT_EQ(backfill_before_live.load(), 0);
  EXPECT_EQ(backfill_ok.load(), 0);
}

}  // namespace
}  // namespace stripehook::stripe
