#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "billing/access.h"
#include "billing/apply.h"
#include "billing/config.h"
#include "billing/state.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace stripehook::pipeline {

struct ProcessorOptions {
  std::vector<int64_t> backoff_seconds = {300, 600, 900};  // the last entry repeats
  int max_attempts = 4;                                    // failed attempts before `dead`
  int batch_size = 256;
  std::chrono::milliseconds poll_interval{50};
  // After a batch smaller than batch_size, the worker waits this long before claiming again, so
  // that under load it commits few large batches (one status-update pass over the hot index pages
  // per batch) instead of one small batch per ingest commit competing with ingest for the
  // single writer. Events are already acknowledged; this only delays their effects.
  std::chrono::milliseconds gather_interval{20};
};

// The seam through which tests inject handler failures; production uses billing::Apply.
using ApplyFunction = std::function<billing::ApplyResult(
    const billing::Event&, const billing::State&, const billing::Config&)>;

struct ProcessorStats {
  std::atomic<int64_t> processed{0};
  std::atomic<int64_t> stale{0};
  std::atomic<int64_t> ignored{0};
  std::atomic<int64_t> failed{0};
  std::atomic<int64_t> dead{0};
  std::atomic<int64_t> batches{0};
};

// Applies inbox events to billing state. One worker claims due events (pending, or failed whose
// retry time has come), applies each with the pure billing core in (created, arrival) order, and
// commits state rows, audit rows, outbox rows and the events' new status in one transaction.
// On SQLite there is one writer, so one worker serialises every object; the state is kept in
// memory (loaded from the store at start) and answers access questions without I/O.
//
// Cluster mode (store->Clustered(), PostgreSQL): several instances process one database. Each
// batch is a store::Store::ProcessDueInCluster round, serialised across the cluster, that first
// brings this instance's state up to every record change other instances committed (followed by
// a rev watermark), then applies its claimed events. An idle instance follows the others every
// poll interval (RecordChangesSince, without the cluster lock), so its access answers trail the
// cluster by about one poll interval.
//
// A handler failure (unparseable payload, billing error) marks the event `failed` with the error
// and a next attempt after the backoff; after max_attempts it is `dead` and an error is logged.
// Thread-safe: RunOnce/Start/Stop from one owner thread; reads (WithState, Access) from any.
class Processor {
 public:
  Processor(store::Store* store, const util::Clock* clock, billing::Config config,
            ProcessorOptions options, ApplyFunction apply = nullptr);
  ~Processor();

  // Loads billing state from the store's rows (in cluster mode, with the rev it stands at).
  // Must be called before RunOnce/Start.
  util::Status LoadState();

  // Processes one batch of due events synchronously; returns how many it handled (0: none due).
  // In cluster mode, when none are due, follows the other instances' record changes instead.
  util::StatusOr<int> RunOnce() EXCLUDES(run_mu_);

  // Runs RunOnce in a background thread until Stop(); wakes early on Notify().
  void Start();
  void Stop();
  // Tells the worker that new events may be waiting (ingest calls it after a commit).
  void Notify();

  // Runs `read` with the current state under a shared lock. Keep it short.
  void WithState(const std::function<void(const billing::State&)>& read) const;
  billing::AccessDecision Access(std::string_view user_id, int64_t now) const;
  const billing::Config& config() const { return config_; }
  const ProcessorStats& stats() const { return stats_; }

 private:
  struct Batch {
    store::ProcessingCommit commit;
  };
  // Stripe's order (created, then arrival) for applying a batch.
  static void OrderForApply(std::vector<store::StoredEvent>& due);
  void ProcessEvent(const store::StoredEvent& stored, int64_t now_us, Batch& batch)
      REQUIRES(state_mu_);
  void RecordFailure(const store::StoredEvent& stored, const std::string& error, int64_t now_us,
                     Batch& batch);
  void Loop();
  // After a failed commit: memory may have run ahead of the database, so reload what is durable.
  void ReloadAfterFailure(const util::Status& failure);

  // Cluster mode (processor_cluster.cpp).
  util::StatusOr<int> RunClusterOnce() REQUIRES(run_mu_);
  util::Status Follow() REQUIRES(run_mu_);
  int64_t CurrentRev() const EXCLUDES(state_mu_);
  util::Status ApplyChanges(const std::vector<store::RecordChange>& changes) REQUIRES(state_mu_);

  store::Store* store_;
  const util::Clock* clock_;
  const billing::Config config_;
  const ProcessorOptions options_;
  ApplyFunction apply_;
  const bool clustered_;

  mutable std::shared_mutex state_mu_;
  billing::State state_ GUARDED_BY(state_mu_);
  // Cluster mode: every record change with a rev up to this one is in state_.
  int64_t rev_ GUARDED_BY(state_mu_) = 0;

  // Reused by ProcessEvent for each event's parsed JSON (billing::ParseEvent's `storage`): most
  // events fit, so parsing one allocates nothing and dropping it frees nothing.
  static constexpr size_t kParseBufferBytes = 64 * 1024;
  std::unique_ptr<unsigned char[]> parse_buffer_ GUARDED_BY(state_mu_) =
      std::make_unique<unsigned char[]>(kParseBufferBytes);

  std::mutex run_mu_;  // one RunOnce at a time
  // Cluster mode: probe for due events without the cluster lock before the next round (true
  // while idle; false after a round that found events).
  bool probe_before_round_ GUARDED_BY(run_mu_) = true;
  std::mutex wake_mu_;
  std::condition_variable wake_;
  // Set by Notify (once per stored event) without the mutex; only the call that sets it wakes
  // the worker, so a burst of events costs one futex wake, not one per event.
  std::atomic<bool> wake_pending_{false};
  std::atomic<bool> stopping_{false};
  std::thread worker_;
  ProcessorStats stats_;
};

}  // namespace stripehook::pipeline
