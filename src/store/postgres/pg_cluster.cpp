#include "store/postgres/pg_cluster.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "store/postgres/pg_event_rows.h"
#include "store/postgres/pg_writes.h"
#include "util/log.h"

namespace stripehook::store::postgres {
namespace {

const std::string& ProcessingLockSql() {
  static const std::string sql =
      "SELECT pg_advisory_xact_lock(" + std::to_string(kProcessingLockKey) + ")";
  return sql;
}

// DueEvents' query, claiming the rows. The outer status test is re-checked on a row that changed
// since the statement's snapshot (READ COMMITTED re-evaluates it on the newest version), so a row
// requeued or finished meanwhile is never claimed on a stale view.
const std::string& ClaimDueSql() {
  static const std::string sql =
      "SELECT " + std::string(kPgEventColumns) +
      " FROM events WHERE seq IN ("
      "(SELECT seq FROM events WHERE status = 'pending' ORDER BY seq LIMIT $1) UNION ALL "
      "(SELECT seq FROM events WHERE status = 'failed' AND next_attempt_at <= $2 "
      "ORDER BY seq LIMIT $1)) "
      "AND (status = 'pending' OR (status = 'failed' AND next_attempt_at <= $2)) "
      "ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED";
  return sql;
}

util::StatusOr<std::vector<StoredEvent>> ClaimDue(PgConnection& conn, int64_t now_us, int limit) {
  SH_ASSIGN_OR_RETURN(PgResult res,
                      conn.Query(ClaimDueSql(), {PgParam::Int(limit), PgParam::Int(now_us)}));
  std::vector<StoredEvent> due;
  due.reserve(static_cast<size_t>(res.rows()));
  for (int row = 0; row < res.rows(); ++row) {
    SH_ASSIGN_OR_RETURN(StoredEvent event, ReadStoredEvent(res, row));
    due.push_back(std::move(event));
  }
  return due;
}

}  // namespace

util::StatusOr<std::vector<RecordChange>> QueryRecordChangesSince(PgConnection& conn,
                                                                  int64_t after_rev,
                                                                  int64_t limit) {
  if (limit < 1) return util::InvalidArgumentError("limit must be at least 1");
  SH_ASSIGN_OR_RETURN(PgResult res, conn.Query("SELECT table_name, key, doc, rev FROM "
                                               "billing_records WHERE rev > $1 ORDER BY rev "
                                               "LIMIT $2",
                                               {PgParam::Int(after_rev), PgParam::Int(limit)}));
  std::vector<RecordChange> changes;
  changes.reserve(static_cast<size_t>(res.rows()));
  for (int row = 0; row < res.rows(); ++row) {
    changes.push_back(RecordChange{res.String(row, 0), res.String(row, 1),
                                   res.OptionalString(row, 2), res.Int64(row, 3)});
  }
  return changes;
}

util::StatusOr<int64_t> QueryLatestRecordRev(PgConnection& conn) {
  SH_ASSIGN_OR_RETURN(PgResult res,
                      conn.Query("SELECT coalesce(max(rev), 0) FROM billing_records", {}));
  return res.Int64(0, 0);
}

PgCluster::PgCluster(PgConnection::Options options, const util::Clock* clock)
    : options_(std::move(options)), clock_(clock), round_conn_(options_, 1) {}

util::Status PgCluster::InLockedTransaction(
    const std::function<util::Status(PgConnection&)>& body) {
  std::lock_guard lock(round_mu_);
  util::Status status = util::OkStatus();
  for (int attempt = 0; attempt < 2; ++attempt) {
    SH_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, round_conn_.Acquire());
    PgConnection& conn = lease.conn();
    PgTransaction txn(conn);
    status = txn.Begin();
    // Waits for the instance holding it, up to the statement timeout (kDeadlineExceeded).
    if (status.ok()) status = conn.Exec(ProcessingLockSql());
    // A connection found broken before any work ran is one PostgreSQL dropped while idle
    // (a restart): a fresh one may succeed at once.
    if (!status.ok() && conn.broken()) continue;
    if (status.ok()) status = body(conn);
    if (status.ok()) status = txn.Commit();
    return status;
  }
  return status;
}

util::StatusOr<ClusterRound> PgCluster::ProcessDue(int64_t now_us, int limit, int64_t after_rev,
                                                   const ClusterWork& work) {
  if (limit < 1) return util::InvalidArgumentError("limit must be at least 1");
  ClusterRound round;
  SH_RETURN_IF_ERROR(InLockedTransaction([&](PgConnection& conn) -> util::Status {
    // Under the lock every earlier holder's commit is visible to this statement's snapshot.
    SH_ASSIGN_OR_RETURN(
        std::vector<RecordChange> changes,
        QueryRecordChangesSince(conn, after_rev, std::numeric_limits<int64_t>::max()));
    SH_ASSIGN_OR_RETURN(std::vector<StoredEvent> due, ClaimDue(conn, now_us, limit));
    round.events = static_cast<int>(due.size());
    SH_ASSIGN_OR_RETURN(ProcessingCommit commit, work(std::move(changes), std::move(due)));
    SH_RETURN_IF_ERROR(ApplyProcessingCommit(conn, commit, clock_->NowUnixMicros()));
    SH_ASSIGN_OR_RETURN(round.rev, QueryLatestRecordRev(conn));
    return util::OkStatus();
  }));
  round.rev = std::max(round.rev, after_rev);
  return round;
}

util::Status PgCluster::CommitRecords(const ProcessingCommit& commit) {
  return InLockedTransaction([&](PgConnection& conn) {
    return ApplyProcessingCommit(conn, commit, clock_->NowUnixMicros());
  });
}

util::StatusOr<bool> PgCluster::TryLock(Leader& leader, std::string_view name) {
  if (leader.conn != nullptr && leader.conn->broken()) leader.conn.reset();
  if (leader.conn == nullptr) {
    SH_ASSIGN_OR_RETURN(leader.conn, leader.backoff.Connect(options_));
  }
  util::StatusOr<PgResult> res =
      leader.conn->Query("SELECT pg_try_advisory_lock(hashtext('stripehook:' || $1))",
                         {PgParam::Text(std::string(name))});
  if (!res.ok()) {
    leader.conn.reset();
    return util::UnavailableError("leadership " + std::string(name) + ": " +
                                  std::string(res.status().message()));
  }
  leader.held = res->Bool(0, 0);
  if (leader.held) util::LogInfo("leadership taken").Str("name", name);
  return leader.held;
}

util::StatusOr<bool> PgCluster::HoldLeadership(std::string_view name) {
  std::lock_guard lock(leaders_mu_);
  if (closed_) return util::UnavailableError("store shut down: no leadership");
  auto found = leaders_.find(name);
  if (found == leaders_.end()) found = leaders_.emplace(std::string(name), Leader{}).first;
  Leader& leader = found->second;
  if (leader.held) {
    // A session lock lives as long as its session: a session that still answers still holds it.
    if (leader.conn->Exec("SELECT 1").ok()) return true;
    util::LogWarn("leadership lost").Str("name", name);
    // Closing the session releases the lock too, if it somehow survived (a timeout).
    leader.conn.reset();
    leader.held = false;
  }
  return TryLock(leader, name);
}

void PgCluster::Close() {
  std::lock_guard lock(leaders_mu_);
  closed_ = true;
  leaders_.clear();
}

}  // namespace stripehook::store::postgres
