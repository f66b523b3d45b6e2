#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_pool.h"
#include "store/processing.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace stripehook::store::postgres {

// The cluster side of PostgresStore (see the "Cluster" block of store.h for each contract):
// processing rounds serialised across every instance on one database by a transaction-scoped
// advisory lock, and named leadership locks held on a session each.
//
// Why one cluster-wide lock rather than per-object claims: billing::Apply may change records of
// several objects for one event (a refund touches its charge, the customer's purchases, ...), so
// two instances applying events of different objects could still read and overwrite the same
// record; with the lock, every record write sees every earlier one and no update is lost.
//
// The lock is also what makes following by rev watermark safe. Every writer of billing_records
// holds it while it writes (ProcessDue, CommitRecords), takes its revs from the sequence after
// taking it, and releases it only after its commit is visible (PostgreSQL ends a transaction in
// the proc array before it releases its locks). So the next holder's revs are all higher than the
// previous holder's, and are committed after them: a reader without the lock that sees rev r also
// sees every rev below r. Reading `rev > watermark` therefore never skips a change.
//
// Thread-safe. One processing round at a time per instance (the round's connection is its own);
// leadership calls serialise on a mutex (they are rare).
//
// The processing lock's advisory key. Any constant works; it only has to be the same in every
// instance ("sh_proc"). Distinct from the migration lock's key.
inline constexpr int64_t kProcessingLockKey = 7526411237176701043;

class PgCluster {
 public:
  PgCluster(PgConnection::Options options, const util::Clock* clock);

  // Store::ProcessDueInCluster.
  util::StatusOr<ClusterRound> ProcessDue(int64_t now_us, int limit, int64_t after_rev,
                                          const ClusterWork& work) EXCLUDES(round_mu_);
  // CommitProcessing for a commit that writes records outside a round (the same lock, so the
  // watermark argument above holds for every record writer).
  util::Status CommitRecords(const ProcessingCommit& commit) EXCLUDES(round_mu_);

  // Store::HoldLeadership.
  util::StatusOr<bool> HoldLeadership(std::string_view name) EXCLUDES(leaders_mu_);
  // Closes every leadership session (the locks pass to another instance at once); later
  // HoldLeadership calls answer kUnavailable. Idempotent.
  void Close() EXCLUDES(leaders_mu_);

 private:
  struct Leader {
    std::unique_ptr<PgConnection> conn;
    bool held = false;
    ReconnectBackoff backoff{std::chrono::milliseconds(100), std::chrono::seconds(2)};
  };
  // Runs `body` in a transaction holding the processing lock, on the round connection; retried
  // once on a fresh connection when the old one had broken before `body` ran.
  util::Status InLockedTransaction(const std::function<util::Status(PgConnection&)>& body)
      EXCLUDES(round_mu_);
  util::StatusOr<bool> TryLock(Leader& leader, std::string_view name) REQUIRES(leaders_mu_);

  const PgConnection::Options options_;
  const util::Clock* clock_;
  std::mutex round_mu_;
  ConnectionPool round_conn_;  // one connection, reconnected with backoff

  std::mutex leaders_mu_;
  std::map<std::string, Leader, std::less<>> leaders_ GUARDED_BY(leaders_mu_);
  bool closed_ GUARDED_BY(leaders_mu_) = false;
};

// Store::RecordChangesSince and LatestRecordRev, on a pooled connection.
util::StatusOr<std::vector<RecordChange>> QueryRecordChangesSince(PgConnection& conn,
                                                                  int64_t after_rev, int64_t limit);
util::StatusOr<int64_t> QueryLatestRecordRev(PgConnection& conn);

}  // namespace stripehook::store::postgres
