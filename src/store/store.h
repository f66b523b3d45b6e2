#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/admin_types.h"
#include "store/event.h"
#include "store/outbox.h"
#include "store/processing.h"
#include "util/status.h"

namespace stripehook::store {

// Filters for ListEvents. Unset fields do not filter. Results are newest first in arrival
// (insertion) order; `starting_after` is an event id: results continue after that row, as in
// Stripe's list API. status and object_id filters use an index; type and created ranges are
// checked while walking arrival order (cheap for common values, a long scan for rare ones).
struct EventFilter {
  std::optional<EventStatus> status;
  std::optional<std::string> type;
  std::optional<std::string> object_id;
  std::optional<int64_t> created_gte;  // Unix seconds
  std::optional<int64_t> created_lt;
  std::optional<std::string> starting_after;
  int limit = 100;  // 1..1000
};

struct EventPage {
  std::vector<StoredEvent> events;
  bool has_more = false;
};

using InsertCallback = std::function<void(util::StatusOr<InsertOutcome>)>;

// A billing record as another instance left it (cluster following): doc absent = deleted.
struct RecordChange {
  std::string table;
  std::string key;
  std::optional<std::string> doc;
  int64_t rev = 0;
};

struct ClusterRound {
  int64_t rev = 0;  // the newest record rev this instance has now seen or written
  int events = 0;   // how many due events were claimed and handled
};

// The CPU-only part of a cluster processing round: brings the in-memory state up to `changes`,
// applies `due`, and returns what to commit.
using ClusterWork = std::function<util::StatusOr<ProcessingCommit>(
    std::vector<RecordChange> changes, std::vector<StoredEvent> due)>;

// The durable store: the inbox today, billing state as it grows. Implementations: sqlite/
// (embedded default) and postgres/. All methods are thread-safe.
//
// Durability contract: InsertEventAsync's callback reports kInserted or kDuplicate only after
// the transaction holding the row is committed and synced to stable storage. Concurrent inserts
// share one transaction (group commit). Any storage failure reports kUnavailable (or
// kDeadlineExceeded when the database stayed locked past its deadline) and nothing of that batch
// is visible. A duplicate id never changes the stored row.
class Store {
 public:
  virtual ~Store() = default;

  // Queues `event`; `done` runs exactly once, on the writer thread, after commit or failure;
  // it must be quick and must not wait on another insert. Never blocks the caller. After
  // Shutdown(), or when too many inserts are queued, `done` runs at once on the caller's thread
  // with kUnavailable. An event with received_at_us == 0 is stamped from the store's Clock.
  virtual void InsertEventAsync(NewEvent event, InsertCallback done) = 0;

  // Synchronous convenience over InsertEventAsync (CLI, tests). Blocks until the commit; never
  // call it from an InsertCallback (the writer thread would wait on itself).
  util::StatusOr<InsertOutcome> InsertEvent(NewEvent event);

  // kNotFound when absent.
  virtual util::StatusOr<StoredEvent> GetEvent(std::string_view id) = 0;
  // kInvalidArgument for a limit outside 1..1000 or an unknown `starting_after` id.
  virtual util::StatusOr<EventPage> ListEvents(const EventFilter& filter) = 0;
  virtual util::StatusOr<int64_t> CountEvents() = 0;

  // OK when the database answers a trivial query (readiness).
  virtual util::Status Ping() = 0;

  // --- Processing (pipeline/) ---

  // The events to process next: every 'pending' event plus every 'failed' one whose
  // next_attempt_at <= now_us, in arrival (seq) order, at most `limit` (>= 1; else
  // kInvalidArgument), payloads included. Served from indexes: the cost grows with the rows
  // returned and the failed rows already due, not with the size of the inbox.
  virtual util::StatusOr<std::vector<StoredEvent>> DueEvents(int64_t now_us, int limit) = 0;

  // Commits everything `commit` holds in ONE transaction, shared with the group-commit writer
  // (so it shares its fsync): `records` in order (a doc upserts, no doc deletes; a later write
  // to the same key wins), then `audit` and `outbox` rows appended, then each event's status,
  // attempts, next_attempt_at, last_error and processed_at set by id. Blocks until durable.
  // All or nothing: on any error none of it is visible. kNotFound when a status update names an
  // event that is not stored; kUnavailable (or kDeadlineExceeded) on storage failure. An empty
  // commit is OK and writes nothing. Never call it from an InsertCallback.
  virtual util::Status CommitProcessing(ProcessingCommit commit) = 0;

  // Calls `visit` for every billing record, ordered by (table, key), on the caller's thread, from
  // one consistent snapshot. Holds one read connection meanwhile; `visit` may call the store's
  // read methods but should not block for long. Returns the first storage error.
  virtual util::Status ForEachRecord(const std::function<void(RecordRow&&)>& visit) = 0;

  // Calls `visit` for every inbox event (any status) ordered by Stripe's `created`, then arrival
  // order, from one consistent snapshot, one row in memory at a time (`stripehook rebuild`).
  // Same threading rules as ForEachRecord.
  virtual util::Status ForEachEventInOrder(const std::function<void(StoredEvent&&)>& visit) = 0;

  // Puts events back to 'pending' (next_attempt_at cleared; attempts and last_error kept) so the
  // pipeline takes them again. With an id: that event, which must be 'failed' or 'dead'
  // (kNotFound when unknown, kFailedPrecondition naming its status otherwise); returns 1.
  // Without: every failed and dead event; returns how many. Durable before it returns.
  virtual util::StatusOr<int64_t> RequeueEvents(const std::optional<std::string>& id) = 0;

  // The record stored under (table, key); nullopt when there is none.
  virtual util::StatusOr<std::optional<RecordRow>> GetRecord(std::string_view table,
                                                             std::string_view key) = 0;
  // The audit rows written for `event_id`, in the order they were committed.
  virtual util::StatusOr<std::vector<AuditRow>> AuditForEvent(std::string_view event_id) = 0;
  virtual util::StatusOr<int64_t> CountAudit() = 0;
  virtual util::StatusOr<int64_t> CountOutbox() = 0;

  // Finishes every queued insert (their callbacks run), then stops the writer. Idempotent.
  virtual void Shutdown() = 0;

  // --- Outbox delivery (notify/, engineer C). Default bodies: kUnimplemented. ---

  // The first `limit` (>= 1) rows after id `after_id` (0: from the start) that are 'pending' or
  // 'failed' (due or not: the caller keeps per-user order by holding back rows behind an
  // undelivered one), in production (id) order.
  virtual util::StatusOr<std::vector<OutboxEntry>> OpenOutbox(int64_t after_id, int limit);
  // Sets each row's delivery state by id, in ONE transaction, durable before it returns.
  // kNotFound when an id is not stored (nothing is written then).
  virtual util::Status UpdateOutbox(std::vector<OutboxUpdate> updates);
  // Newest first; kInvalidArgument for a limit outside 1..1000.
  virtual util::StatusOr<OutboxPage> ListOutbox(const OutboxFilter& filter);
  // kNotFound when absent.
  virtual util::StatusOr<OutboxEntry> GetOutbox(int64_t id);
  // Puts rows back to 'pending' with a fresh attempt count (channels already done stay done).
  // With an id: that row, which must be 'failed' or 'dead' (kNotFound when unknown,
  // kFailedPrecondition naming its status otherwise); returns 1. Without: every dead row.
  virtual util::StatusOr<int64_t> RequeueOutbox(std::optional<int64_t> id);

  // --- Admin read models and cleanup (admin/, engineer A). Default bodies: kUnimplemented. ---

  // The admin event list (admin_types.h). Same errors as ListEvents.
  virtual util::StatusOr<EventPage> ListEventsForAdmin(const AdminEventFilter& filter);
  // Counts by status and by type/status, and processing latencies, over the events received at or
  // after `since_us`.
  virtual util::StatusOr<EventWindowStats> StatsSince(int64_t since_us);
  // Pending/failed/dead counts and the arrival time of the oldest pending event.
  virtual util::StatusOr<InboxBacklog> Backlog();
  // The newest stored event (by Stripe created, then arrival) about `object_id`; nullopt if none.
  virtual util::StatusOr<std::optional<StoredEvent>> LatestEventForObject(
      std::string_view object_id);
  // Deletes processed, ignored and stale events received before `received_before_us`, but only
  // those for whose object a newer processed snapshot is stored, that are not in `keep` (the
  // events billing state rests on: billing::EventsStateRestsOn) and are not customer.deleted
  // (a deletion is a fact kept past newer snapshots), so `stripehook rebuild` still gives the
  // live state. Failed, dead and pending events are never deleted. Works in bounded
  // transactions; durable before it returns. Returns how many were deleted.
  virtual util::StatusOr<int64_t> CleanupEvents(int64_t received_before_us,
                                                const std::set<std::string>& keep);

  // --- Cluster: several instances on one database (PostgreSQL). Defaults: one instance. ---

  // True when other instances may process this database at the same time. The pipeline then
  // takes its work through ProcessDueInCluster and follows other instances' record changes with
  // RecordChangesSince instead of DueEvents/CommitProcessing. Default: false.
  virtual bool Clustered() const { return false; }

  // One processing round, serialised across the cluster, in ONE transaction: takes the cluster's
  // processing lock (waits for it up to the statement timeout), reads the record changes committed
  // after `after_rev`, claims up to `limit` (>= 1) due events as DueEvents defines them (FOR UPDATE
  // SKIP LOCKED), calls `work` with both on the caller's thread, then writes what `work` returns
  // (CommitProcessing's contract) and commits. `work` must be CPU-only; when it fails, nothing is
  // written and its status is returned. Every record write gets a new rev, so the returned rev
  // (the newest one now durable, >= after_rev) is where this instance's view stands afterwards.
  virtual util::StatusOr<ClusterRound> ProcessDueInCluster(int64_t now_us, int limit,
                                                           int64_t after_rev,
                                                           const ClusterWork& work);
  // Records written after `after_rev` (deletions as a change without doc), oldest first, at most
  // `limit`: what other instances changed since this one last looked. Each record appears once,
  // with its current doc and rev.
  virtual util::StatusOr<std::vector<RecordChange>> RecordChangesSince(int64_t after_rev,
                                                                       int limit);
  // The newest record rev (0 for none); read BEFORE ForEachRecord when loading state, so that
  // following from it misses nothing.
  virtual util::StatusOr<int64_t> LatestRecordRev();

  // Leadership for jobs that must run on one instance at a time (scheduler, outbox delivery):
  // true while this process holds the lock named `name` (PostgreSQL: a session advisory lock on a
  // connection kept for it, so it is released when the process dies). Tries to take it when not
  // held; cheap to call every few seconds. kUnavailable when the database cannot be reached
  // (treat as not leader). Default (a single-instance store): always true.
  virtual util::StatusOr<bool> HoldLeadership(std::string_view name);
};

}  // namespace stripehook::store
