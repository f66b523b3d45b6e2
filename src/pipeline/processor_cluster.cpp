// Processor in cluster mode: rounds through Store::ProcessDueInCluster and following the other
// instances' record changes by rev (see processor.h and store/postgres/pg_cluster.h for why a
// watermark read without the cluster lock misses nothing).
#include <algorithm>
#include <utility>
#include <variant>

#include "billing/serialization.h"
#include "pipeline/processor.h"

namespace stripehook::pipeline {
namespace {

// Records changed per RecordChangesSince call while following; a long gap takes several.
constexpr int kFollowBatch = 1000;

// Removes the record `key` of the billing table named `table`, if the state holds it.
template <size_t I = 0>
void EraseRecord(billing::State& state, std::string_view table, std::string_view key) {
  if constexpr (I < std::variant_size_v<billing::Record>) {
    using T = std::variant_alternative_t<I, billing::Record>;
    if (billing::TableOf(billing::Record(std::in_place_index<I>)) != table) {
      return EraseRecord<I + 1>(state, table, key);
    }
    if (const T* held = state.Find<T>(key)) state.Erase(billing::Record(*held));
  }
}

}  // namespace

util::Status Processor::ApplyChanges(const std::vector<store::RecordChange>& changes) {
  for (const store::RecordChange& change : changes) {
    if (change.doc) {
      util::StatusOr<billing::Record> record = billing::RecordFromJson(change.table, *change.doc);
      if (!record.ok()) return record.status().Annotate(change.table + "/" + change.key);
      state_.Upsert(*record);
    } else {
      EraseRecord(state_, change.table, change.key);
    }
    rev_ = std::max(rev_, change.rev);
  }
  return util::OkStatus();
}

int64_t Processor::CurrentRev() const {
  std::shared_lock lock(state_mu_);
  return rev_;
}

util::Status Processor::Follow() {
  for (;;) {
    SH_ASSIGN_OR_RETURN(std::vector<store::RecordChange> changes,
                        store_->RecordChangesSince(CurrentRev(), kFollowBatch));
    if (changes.empty()) return util::OkStatus();
    {
      std::unique_lock lock(state_mu_);
      SH_RETURN_IF_ERROR(ApplyChanges(changes));
    }
    if (changes.size() < static_cast<size_t>(kFollowBatch)) return util::OkStatus();
  }
}

util::StatusOr<int> Processor::RunClusterOnce() {
  const int64_t now_us = clock_->NowUnixMicros();
  // An indexed probe without the cluster lock: an idle cluster costs no lock traffic. Only after
  // a round that found nothing: under load the probe cost PostgreSQL more than the round's claim
  // (bench/postgres.sh with pg_stat_statements: 7.5 ms a call, walking the status index's
  // entries of events processed since the last vacuum), and a busy round finds work anyway.
  if (probe_before_round_) {
    SH_ASSIGN_OR_RETURN(std::vector<store::StoredEvent> probe, store_->DueEvents(now_us, 1));
    if (probe.empty()) {
      SH_RETURN_IF_ERROR(Follow());
      return 0;
    }
  }
  const int64_t after_rev = CurrentRev();
  bool state_touched = false;
  store::ClusterWork work =
      [&](std::vector<store::RecordChange> changes,
          std::vector<store::StoredEvent> due) -> util::StatusOr<store::ProcessingCommit> {
    OrderForApply(due);
    Batch batch;
    std::unique_lock lock(state_mu_);
    state_touched = true;
    // Other instances' commits first: the events below must see the state they left.
    SH_RETURN_IF_ERROR(ApplyChanges(changes));
    for (const store::StoredEvent& stored : due) ProcessEvent(stored, now_us, batch);
    return std::move(batch.commit);
  };
  util::StatusOr<store::ClusterRound> round =
      store_->ProcessDueInCluster(now_us, options_.batch_size, after_rev, work);
  if (!round.ok()) {
    probe_before_round_ = true;
    if (state_touched) ReloadAfterFailure(round.status());  // the events are still due
    return round.status();
  }
  probe_before_round_ = round->events == 0;
  {
    std::unique_lock lock(state_mu_);
    rev_ = std::max(rev_, round->rev);
  }
  if (round->events > 0) stats_.batches.fetch_add(1, std::memory_order_relaxed);
  return round->events;
}

}  // namespace stripehook::pipeline
