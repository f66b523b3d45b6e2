#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg_cluster.h"
#include "store/postgres/pg_pool.h"
#include "store/postgres/pg_writer.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::store::postgres {

struct PostgresOptions {
  std::string url;                      // postgresql://user:pass@host:port/db?...
  int64_t statement_timeout_ms = 5000;  // per statement; past it the caller gets 503
  int max_batch = 512;                  // inserts per group-commit transaction
  int max_queue = 100000;               // queued writes beyond which submits fail at once
  int read_connections = 4;             // the query pool (the writer has its own)
  const util::Clock* clock = nullptr;   // null: the system clock
};

// The store on PostgreSQL (libpq): one group-commit writer thread with its own connection, and a
// pool of connections for queries, all prepared-statement based. Many instances may share one
// database: inserts are idempotent by event id, migrations serialize on an advisory lock.
// After PostgreSQL restarts, connections are replaced with backoff; meanwhile calls fail at once
// with kUnavailable. Thread-safe; see Store for the contract of each method.
class PostgresStore final : public Store {
 public:
  // Connects, applies pending migrations, starts the writer. kUnavailable when PostgreSQL cannot
  // be reached; kFailedPrecondition when its schema is newer than this binary.
  static util::StatusOr<std::unique_ptr<PostgresStore>> Open(PostgresOptions options);
  ~PostgresStore() override;  // Shutdown()

  void InsertEventAsync(NewEvent event, InsertCallback done) override;
  util::StatusOr<StoredEvent> GetEvent(std::string_view id) override;
  util::StatusOr<EventPage> ListEvents(const EventFilter& filter) override;
  util::StatusOr<int64_t> CountEvents() override;
  util::Status Ping() override;
  void Shutdown() override;

  util::StatusOr<std::vector<StoredEvent>> DueEvents(int64_t now_us, int limit) override;
  util::Status CommitProcessing(ProcessingCommit commit) override;
  util::Status ForEachRecord(const std::function<void(RecordRow&&)>& visit) override;
  util::Status ForEachEventInOrder(const std::function<void(StoredEvent&&)>& visit) override;
  util::StatusOr<int64_t> RequeueEvents(const std::optional<std::string>& id) override;
  util::StatusOr<std::optional<RecordRow>> GetRecord(std::string_view table,
                                                     std::string_view key) override;
  util::StatusOr<std::vector<AuditRow>> AuditForEvent(std::string_view event_id) override;
  util::StatusOr<int64_t> CountAudit() override;
  util::StatusOr<int64_t> CountOutbox() override;

  // Admin read models (store.h).
  util::StatusOr<InboxBacklog> Backlog() override;
  util::StatusOr<std::optional<StoredEvent>> LatestEventForObject(
      std::string_view object_id) override;
  // pg_admin_store.cpp: the admin read models see every instance's rows; CleanupEvents deletes in
  // bounded transactions on a pooled connection.
  util::StatusOr<EventPage> ListEventsForAdmin(const AdminEventFilter& filter) override;
  util::StatusOr<EventWindowStats> StatsSince(int64_t since_us) override;
  util::StatusOr<int64_t> CleanupEvents(int64_t received_before_us,
                                        const std::set<std::string>& keep) override;

  // pg_outbox_store.cpp: outbox delivery (one leader instance delivers, see OpenOutbox there);
  // writes are one transaction each on a pooled connection.
  util::StatusOr<std::vector<OutboxEntry>> OpenOutbox(int64_t after_id, int limit) override;
  util::Status UpdateOutbox(std::vector<OutboxUpdate> updates) override;
  util::StatusOr<OutboxPage> ListOutbox(const OutboxFilter& filter) override;
  util::StatusOr<OutboxEntry> GetOutbox(int64_t id) override;
  util::StatusOr<int64_t> RequeueOutbox(std::optional<int64_t> id) override;

  // Cluster (pg_cluster.h): many instances may process this database at once.
  bool Clustered() const override { return true; }
  util::StatusOr<ClusterRound> ProcessDueInCluster(int64_t now_us, int limit, int64_t after_rev,
                                                   const ClusterWork& work) override;
  util::StatusOr<std::vector<RecordChange>> RecordChangesSince(int64_t after_rev,
                                                               int limit) override;
  util::StatusOr<int64_t> LatestRecordRev() override;
  util::StatusOr<bool> HoldLeadership(std::string_view name) override;

  PgWriterStats writer_stats() const { return writer_->Stats(); }

 private:
  PostgresStore(std::unique_ptr<ConnectionPool> readers,
                std::unique_ptr<PgGroupCommitWriter> writer, std::unique_ptr<PgCluster> cluster,
                const util::Clock* clock)
      : readers_(std::move(readers)),
        writer_(std::move(writer)),
        cluster_(std::move(cluster)),
        clock_(clock) {}

  // Runs `query` on a pooled connection; once more on a fresh one when the first failed because
  // its connection had broken (PostgreSQL restarted since it was last used).
  template <typename T>
  util::StatusOr<T> WithReader(const std::function<util::StatusOr<T>(PgConnection&)>& query);
  util::Status WriteAndWait(PgWork work);

  std::unique_ptr<ConnectionPool> readers_;
  std::unique_ptr<PgGroupCommitWriter> writer_;
  std::unique_ptr<PgCluster> cluster_;
  const util::Clock* clock_;
};

// For `stripehook migrate`: connects to `url` and applies every pending migration.
util::Status MigratePostgres(const std::string& url);

}  // namespace stripehook::store::postgres
