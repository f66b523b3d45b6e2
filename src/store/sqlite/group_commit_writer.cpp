#include "store/sqlite/group_commit_writer.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "store/commit_metrics.h"
#include "util/log.h"
#include "util/thread_name.h"

namespace stripehook::store::sqlite {

GroupCommitWriter::GroupCommitWriter(std::unique_ptr<Connection> conn, const Options& options)
    : options_(options), executor_(std::move(conn), *options.clock) {
  SH_CHECK(options_.clock != nullptr);
  SH_CHECK(options_.max_batch >= 1);
  thread_ = util::StartNamedThread("sqlite-writer", [this] { Run(); });
}

GroupCommitWriter::~GroupCommitWriter() { Shutdown(); }

void GroupCommitWriter::SubmitInsert(NewEvent event, InsertCallback done) {
  if (event.received_at_us == 0) event.received_at_us = options_.clock->NowUnixMicros();
  PendingWrite write = PendingInsert{std::move(event), std::move(done)};
  util::Status reason;
  if (!Enqueue(write, &reason)) std::get<PendingInsert>(write).done(reason);
}

void GroupCommitWriter::SubmitWrite(WriteWork work, WriteDone done) {
  PendingWrite write = PendingWork{std::move(work), std::move(done)};
  util::Status reason;
  if (!Enqueue(write, &reason)) std::get<PendingWork>(write).done(reason);
}

bool GroupCommitWriter::Enqueue(PendingWrite& write, util::Status* reason) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      *reason = util::UnavailableError("store is shut down");
      return false;
    }
    if (queue_.size() >= options_.max_queue) {
      *reason = util::UnavailableError("store write queue is full");
      return false;
    }
    queue_.push_back({std::move(write), std::chrono::steady_clock::now()});
    wake = writer_idle_;
  }
  if (wake) wake_.notify_one();
  return true;
}

std::vector<PendingWrite> GroupCommitWriter::TakeBatch(
    std::optional<std::chrono::steady_clock::time_point> sync_by) {
  std::unique_lock<std::mutex> lock(mu_);
  writer_idle_ = true;
  auto ready = [this] { return !queue_.empty() || stopping_; };
  if (sync_by) {
    wake_.wait_until(lock, *sync_by, ready);
  } else {
    wake_.wait(lock, ready);
  }
  writer_idle_ = false;
  if (queue_.empty()) return {};
  // A commit costs about the same whether it holds 2 writes or 20 (the hot pages it rewrites,
  // the fsync), so a short queue waits for company until its oldest write has been queued for
  // `gather`. The window runs from that write's arrival, not from now: writes that queued up
  // behind a long commit (a processing commit takes milliseconds) have waited enough already.
  // Enqueue does not wake us meanwhile (writer_idle_ is false): only Shutdown cuts it short.
  if (options_.gather.count() > 0 && queue_.size() < options_.gather_below && !stopping_) {
    wake_.wait_until(lock, queue_.front().queued_at + options_.gather,
                     [this] { return stopping_; });
  }
  // A batch is a run of one kind from the head of the queue (FIFO order is kept): inserts
  // commit without a processing commit's hundreds of statements in their transaction, so an
  // acknowledgement never waits for the pipeline's writes, at the price of one more fsync per
  // processing commit (tens per second; ingest commits several hundred).
  size_t n = std::min(queue_.size(), static_cast<size_t>(options_.max_batch));
  std::vector<PendingWrite> batch;
  batch.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && queue_.front().write.index() != batch.front().index()) break;
    batch.push_back(std::move(queue_.front().write));
    queue_.pop_front();
  }
  return batch;  // empty only when stopping with nothing left: the drain is complete
}

void GroupCommitWriter::Run() {
  const bool defer = options_.sync_delay.count() > 0;
  while (true) {
    // Waiting for an insert commit pays only while inserts are coming in: a backlog drained by
    // the pipeline alone would otherwise wait out the delay at every processing commit.
    std::optional<std::chrono::steady_clock::time_point> sync_by;
    if (!held_.empty()) {
      const bool inserts_flowing =
          last_insert_commit_ && held_since_ - *last_insert_commit_ <= options_.sync_delay;
      sync_by = inserts_flowing ? held_since_ + options_.sync_delay : held_since_;
    }
    std::vector<PendingWrite> batch = TakeBatch(sync_by);
    if (batch.empty()) {
      if (held_.empty()) return;  // stopping, and everything is committed and synced
      ReleaseHeld(/*now=*/true);  // no insert came in time (or stopping): sync alone
      continue;
    }
    // A batch holds one kind of write (TakeBatch).
    const bool inserts = std::holds_alternative<PendingInsert>(batch.front());
    auto started = std::chrono::steady_clock::now();
    // Under a stream of works alone, the held callbacks wait no longer than sync_delay either.
    if (!inserts && sync_by && started >= *sync_by) ReleaseHeld(/*now=*/true);
    util::Status status = executor_.Execute(batch, /*defer_sync=*/defer && !inserts);
    ObserveCommit(inserts, batch.size(), std::chrono::steady_clock::now() - started);
    if (inserts) last_insert_commit_ = started;
    Record(inserts, batch.size(), status);  // before the callbacks: an answered caller sees it
    if (!inserts && status.ok() && executor_.SyncOwed()) {
      if (held_.empty()) held_since_ = started;
      executor_.Hold(batch, held_);
      deferred_syncs_.fetch_add(1, std::memory_order_relaxed);
    } else {
      executor_.Deliver(batch, status);
    }
    if (options_.between_batches) options_.between_batches();
    // An insert commit's sync (or a checkpoint's) covered the held works' frames too.
    if (!held_.empty()) ReleaseHeld(/*now=*/false);
    if (!status.ok()) {
      util::LogWarn("store batch failed")
          .Int("writes", static_cast<int64_t>(batch.size()))
          .Str("error", status.ToString());
    }
  }
}

void GroupCommitWriter::ReleaseHeld(bool now) {
  if (!now && executor_.SyncOwed()) return;
  util::Status synced;
  if (now) {
    synced = executor_.SyncWal();
    syncs_alone_.fetch_add(1, std::memory_order_relaxed);
    if (!synced.ok()) util::LogWarn("store sync failed").Str("error", synced.ToString());
  }
  BatchExecutor::Release(held_, synced);
}

void GroupCommitWriter::Record(bool inserts, size_t writes, const util::Status& status) {
  const auto size = static_cast<int64_t>(writes);
  (inserts ? events_ : works_).fetch_add(size, std::memory_order_relaxed);
  if (!status.ok()) failed_batches_.fetch_add(1, std::memory_order_relaxed);
  last_batch_size_.store(size, std::memory_order_relaxed);
  if (size > max_batch_size_.load(std::memory_order_relaxed)) {
    max_batch_size_.store(size, std::memory_order_relaxed);  // only this thread writes it
  }
  batches_.fetch_add(1, std::memory_order_release);
}

void GroupCommitWriter::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  std::lock_guard<std::mutex> lock(shutdown_mu_);
  if (thread_.joinable()) thread_.join();
}

WriterStats GroupCommitWriter::Stats() const {
  WriterStats stats;
  stats.batches = batches_.load(std::memory_order_acquire);
  stats.failed_batches = failed_batches_.load(std::memory_order_relaxed);
  stats.events = events_.load(std::memory_order_relaxed);
  stats.works = works_.load(std::memory_order_relaxed);
  stats.last_batch_size = last_batch_size_.load(std::memory_order_relaxed);
  stats.max_batch_size = max_batch_size_.load(std::memory_order_relaxed);
  stats.deferred_syncs = deferred_syncs_.load(std::memory_order_relaxed);
  stats.syncs_alone = syncs_alone_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace stripehook::store::sqlite
