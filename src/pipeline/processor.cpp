#include "pipeline/processor.h"

#include <algorithm>
#include <string>

#include <boost/json/monotonic_resource.hpp>

#include "billing/event.h"
#include "billing/serialization.h"
#include "pipeline/rebuild.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/thread_name.h"

namespace stripehook::pipeline {

namespace {

// Events handled by type and outcome, and retry attempts, for GET /metrics (admin/).
void CountOutcome(const store::StoredEvent& stored, std::string_view outcome) {
  static util::CounterFamily* const handled = util::DefaultMetrics().Counter(
      "stripehook_events_processed_total", "Events the pipeline handled, by type and outcome.",
      {"type", "outcome"});
  static util::CounterFamily* const retries = util::DefaultMetrics().Counter(
      "stripehook_event_retries_total", "Processing attempts that were retries of an event.");
  handled->Inc({stored.event.type, std::string(outcome)});
  if (stored.attempts > 0) retries->Inc();
}

store::EventStatus StatusFor(billing::Outcome outcome) {
  switch (outcome) {
    case billing::Outcome::kApplied:
      return store::EventStatus::kProcessed;
    case billing::Outcome::kStale:
      return store::EventStatus::kStale;
    case billing::Outcome::kIgnored:
      return store::EventStatus::kIgnored;
    case billing::Outcome::kError:
      return store::EventStatus::kFailed;
  }
  return store::EventStatus::kFailed;
}

// Rows for the store: each record's new document in order (the last write wins when a batch
// touches a record twice), an audit row per change, an outbox row per notification.
void AddChanges(const std::string& event_id, const billing::ApplyResult& result, int64_t now_us,
                store::ProcessingCommit& commit) {
  for (const billing::Change& change : result.changes) {
    std::optional<std::string> doc;
    if (change.after) doc = billing::ToJson(*change.after);
    commit.audit.push_back(
        {event_id, change.table, change.key, billing::CanonicalChangeJson(change, doc), now_us});
    commit.records.push_back({change.table, change.key, std::move(doc)});
  }
  for (const billing::Notification& n : result.notifications) {
    commit.outbox.push_back({event_id, n.type, n.user_id, boost::json::serialize(n.body), now_us});
  }
}

}  // namespace

Processor::Processor(store::Store* store, const util::Clock* clock, billing::Config config,
                     ProcessorOptions options, ApplyFunction apply)
    : store_(store),
      clock_(clock),
      config_(std::move(config)),
      options_(std::move(options)),
      apply_(apply ? std::move(apply) : ApplyFunction(billing::Apply)),
      clustered_(store->Clustered()) {}

Processor::~Processor() { Stop(); }

util::Status Processor::LoadState() {
  // Read before the records: a change committed meanwhile is then followed again (harmless)
  // rather than missed.
  int64_t rev = 0;
  if (clustered_) {
    SH_ASSIGN_OR_RETURN(rev, store_->LatestRecordRev());
  }
  SH_ASSIGN_OR_RETURN(billing::State loaded, LoadLiveState(*store_));
  std::unique_lock lock(state_mu_);
  state_ = std::move(loaded);
  rev_ = rev;
  return util::OkStatus();
}

void Processor::ReloadAfterFailure(const util::Status& failure) {
  util::LogError("processing commit failed").Str("error", failure.ToString());
  util::Status reloaded = LoadState();
  if (!reloaded.ok()) util::LogError("state reload failed").Str("error", reloaded.ToString());
}

void Processor::OrderForApply(std::vector<store::StoredEvent>& due) {
  // Billing is order-independent per object, but applying in Stripe's order keeps the audit log
  // and the notifications in the order a human expects.
  std::stable_sort(due.begin(), due.end(),
                   [](const auto& a, const auto& b) { return a.event.created < b.event.created; });
}

void Processor::RecordFailure(const store::StoredEvent& stored, const std::string& error,
                              int64_t now_us, Batch& batch) {
  store::EventStatusUpdate update;
  update.id = stored.event.id;
  update.attempts = stored.attempts + 1;
  update.last_error = error;
  if (update.attempts >= options_.max_attempts) {
    update.status = store::EventStatus::kDead;
    stats_.dead.fetch_add(1, std::memory_order_relaxed);
    CountOutcome(stored, "dead");
    util::LogError("event dead")
        .Str("event_id", stored.event.id)
        .Str("event_type", stored.event.type)
        .Int("attempts", update.attempts)
        .Str("error", error);
  } else {
    size_t step =
        std::min<size_t>(static_cast<size_t>(stored.attempts), options_.backoff_seconds.size() - 1);
    update.status = store::EventStatus::kFailed;
    update.next_attempt_at_us = now_us + options_.backoff_seconds[step] * 1'000'000;
    stats_.failed.fetch_add(1, std::memory_order_relaxed);
    CountOutcome(stored, "failed");
    util::LogWarn("event failed")
        .Str("event_id", stored.event.id)
        .Str("event_type", stored.event.type)
        .Int("attempts", update.attempts)
        .Int("next_attempt_at_us", *update.next_attempt_at_us)
        .Str("error", error);
  }
  batch.commit.events.push_back(std::move(update));
}

void Processor::ProcessEvent(const store::StoredEvent& stored, int64_t now_us, Batch& batch) {
  if (stored.payload_error) return RecordFailure(stored, *stored.payload_error, now_us, batch);
  // Declared first so that it outlives the event, the apply result and anything copied from them.
  boost::json::monotonic_resource arena(parse_buffer_.get(), kParseBufferBytes);
  util::StatusOr<billing::Event> event = billing::ParseEvent(stored.event.payload, &arena);
  if (!event.ok()) return RecordFailure(stored, event.status().message(), now_us, batch);
  billing::ApplyResult result = apply_(*event, state_, config_);
  if (result.outcome == billing::Outcome::kError) {
    return RecordFailure(stored, result.error, now_us, batch);
  }
  billing::Commit(state_, result);
  AddChanges(stored.event.id, result, now_us, batch.commit);
  store::EventStatusUpdate update;
  update.id = stored.event.id;
  update.status = StatusFor(result.outcome);
  update.attempts = stored.attempts + 1;
  update.processed_at_us = now_us;
  batch.commit.events.push_back(std::move(update));
  auto& counter = result.outcome == billing::Outcome::kStale     ? stats_.stale
                  : result.outcome == billing::Outcome::kIgnored ? stats_.ignored
                                                                 : stats_.processed;
  counter.fetch_add(1, std::memory_order_relaxed);
  CountOutcome(stored, store::EventStatusName(StatusFor(result.outcome)));
}

util::StatusOr<int> Processor::RunOnce() {
  std::lock_guard run_lock(run_mu_);
  if (clustered_) return RunClusterOnce();
  int64_t now_us = clock_->NowUnixMicros();
  SH_ASSIGN_OR_RETURN(std::vector<store::StoredEvent> due,
                      store_->DueEvents(now_us, options_.batch_size));
  if (due.empty()) return 0;
  OrderForApply(due);
  Batch batch;
  {
    std::unique_lock lock(state_mu_);
    for (const store::StoredEvent& stored : due) ProcessEvent(stored, now_us, batch);
  }
  util::Status committed = store_->CommitProcessing(std::move(batch.commit));
  if (!committed.ok()) {
    ReloadAfterFailure(committed);  // the events are still due
    return committed;
  }
  stats_.batches.fetch_add(1, std::memory_order_relaxed);
  return static_cast<int>(due.size());
}

void Processor::Start() {
  stopping_ = false;
  worker_ = util::StartNamedThread("pipeline", [this] { Loop(); });
}

void Processor::Stop() {
  stopping_ = true;
  { std::lock_guard lock(wake_mu_); }  // a worker checking its predicate now sees stopping_
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void Processor::Notify() {
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;  // already signalled
  // The empty critical section orders the flag before a worker that is about to wait.
  { std::lock_guard lock(wake_mu_); }
  wake_.notify_one();
}

void Processor::Loop() {
  std::string last_error;  // logged once per distinct error, not once per poll
  while (!stopping_.load()) {
    wake_pending_.store(false, std::memory_order_release);  // this run sees what came before
    util::StatusOr<int> handled = RunOnce();
    if (!handled.ok()) {
      // A store error (an unreadable disk, say) stops processing until it clears; the round is
      // retried every poll interval, and the backlog shows in /healthz and /metrics.
      std::string error = handled.status().ToString();
      if (error != last_error) util::LogError("processing round failed").Str("error", error);
      last_error = std::move(error);
    } else if (!last_error.empty()) {
      util::LogInfo("processing resumed").Str("after", last_error);
      last_error.clear();
    }
    if (handled.ok() && *handled >= options_.batch_size) continue;  // a backlog: keep going
    std::unique_lock lock(wake_mu_);
    if (handled.ok() && *handled > 0) {
      // Let more events gather; only Stop() cuts the wait short.
      wake_.wait_for(lock, options_.gather_interval, [this] { return stopping_.load(); });
      continue;
    }
    wake_.wait_for(lock, options_.poll_interval,
                   [this] { return wake_pending_.load(std::memory_order_acquire); });
  }
}

void Processor::WithState(const std::function<void(const billing::State&)>& read) const {
  std::shared_lock lock(state_mu_);
  read(state_);
}

billing::AccessDecision Processor::Access(std::string_view user_id, int64_t now) const {
  std::shared_lock lock(state_mu_);
  return billing::Access(user_id, state_, now, config_);
}

}  // namespace stripehook::pipeline
