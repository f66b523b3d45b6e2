#include "store/postgres/postgres_store.h"

#include <future>
#include <utility>

#include "store/postgres/pg_admin_queries.h"
#include "store/postgres/pg_pooled.h"
#include "store/postgres/pg_queries.h"
#include "store/postgres/pg_schema.h"
#include "store/postgres/pg_writes.h"

namespace stripehook::store::postgres {
namespace {

PgConnection::Options ConnectionOptions(const PostgresOptions& options) {
  PgConnection::Options conn;
  conn.url = options.url;
  conn.statement_timeout_ms = options.statement_timeout_ms;
  return conn;
}

}  // namespace

util::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(PostgresOptions options) {
  if (options.clock == nullptr) options.clock = &util::SystemClock::Default();
  if (options.max_batch < 1 || options.max_queue < 1 || options.read_connections < 1) {
    return util::InvalidArgumentError("max_batch, max_queue and read_connections must be positive");
  }
  // Each multi-row INSERT binds 12 parameters per row; PostgreSQL allows 65535 per statement.
  if (options.max_batch > 5000) return util::InvalidArgumentError("max_batch is at most 5000");
  PgConnection::Options conn_options = ConnectionOptions(options);
  SH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(conn_options));
  SH_RETURN_IF_ERROR(ApplyPgMigrations(*conn, *options.clock));
  auto readers = std::make_unique<ConnectionPool>(conn_options, options.read_connections);
  PgGroupCommitWriter::Options writer_options;
  writer_options.connection = conn_options;
  writer_options.max_batch = options.max_batch;
  writer_options.max_queue = static_cast<size_t>(options.max_queue);
  writer_options.clock = options.clock;
  auto writer = std::make_unique<PgGroupCommitWriter>(std::move(conn), writer_options);
  auto cluster = std::make_unique<PgCluster>(conn_options, options.clock);
  return std::unique_ptr<PostgresStore>(
      new PostgresStore(std::move(readers), std::move(writer), std::move(cluster), options.clock));
}

PostgresStore::~PostgresStore() { Shutdown(); }

template <typename T>
util::StatusOr<T> PostgresStore::WithReader(
    const std::function<util::StatusOr<T>(PgConnection&)>& query) {
  return OnPooledConnection<T>(*readers_, query);
}

void PostgresStore::InsertEventAsync(NewEvent event, InsertCallback done) {
  writer_->SubmitInsert(std::move(event), std::move(done));
}

util::StatusOr<StoredEvent> PostgresStore::GetEvent(std::string_view id) {
  return WithReader<StoredEvent>([id](PgConnection& conn) { return QueryEvent(conn, id); });
}

util::StatusOr<EventPage> PostgresStore::ListEvents(const EventFilter& filter) {
  return WithReader<EventPage>([&](PgConnection& conn) { return QueryEvents(conn, filter); });
}

util::StatusOr<int64_t> PostgresStore::CountEvents() {
  return WithReader<int64_t>([](PgConnection& conn) { return QueryCount(conn, "events"); });
}

util::Status PostgresStore::Ping() {
  return WithReader<int64_t>([](PgConnection& conn) -> util::StatusOr<int64_t> {
           SH_ASSIGN_OR_RETURN(PgResult res, conn.Query("SELECT 1", {}));
           return res.Int64(0, 0);
         })
      .status();
}

void PostgresStore::Shutdown() {
  writer_->Shutdown();
  cluster_->Close();
}

util::StatusOr<std::vector<StoredEvent>> PostgresStore::DueEvents(int64_t now_us, int limit) {
  return WithReader<std::vector<StoredEvent>>(
      [&](PgConnection& conn) { return QueryDueEvents(conn, now_us, limit); });
}

util::Status PostgresStore::WriteAndWait(PgWork work) {
  auto promise = std::make_shared<std::promise<util::Status>>();
  std::future<util::Status> result = promise->get_future();
  writer_->SubmitWork(std::move(work),
                      [promise](util::Status status) { promise->set_value(std::move(status)); });
  return result.get();
}

util::Status PostgresStore::CommitProcessing(ProcessingCommit commit) {
  if (commit.empty()) return util::OkStatus();
  // Record writers must hold the cluster's processing lock (pg_cluster.h); the group-commit
  // writer must not wait on it, so such a commit takes the cluster's own connection.
  if (!commit.records.empty()) return cluster_->CommitRecords(commit);
  auto shared = std::make_shared<const ProcessingCommit>(std::move(commit));
  const util::Clock* clock = clock_;
  return WriteAndWait([shared, clock](PgConnection& conn) {
    return ApplyProcessingCommit(conn, *shared, clock->NowUnixMicros());
  });
}

util::Status PostgresStore::ForEachRecord(const std::function<void(RecordRow&&)>& visit) {
  SH_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, readers_->Acquire());
  return VisitRecords(lease.conn(), visit);
}

util::Status PostgresStore::ForEachEventInOrder(const std::function<void(StoredEvent&&)>& visit) {
  SH_ASSIGN_OR_RETURN(ConnectionPool::Lease lease, readers_->Acquire());
  return VisitEventsInOrder(lease.conn(), visit);
}

util::StatusOr<int64_t> PostgresStore::RequeueEvents(const std::optional<std::string>& id) {
  // Written on the writer thread, read here after the future has synchronized.
  auto requeued = std::make_shared<int64_t>(0);
  SH_RETURN_IF_ERROR(WriteAndWait([requeued, id](PgConnection& conn) -> util::Status {
    SH_ASSIGN_OR_RETURN(*requeued, RequeueInTxn(conn, id));
    return util::OkStatus();
  }));
  return *requeued;
}

util::StatusOr<std::optional<RecordRow>> PostgresStore::GetRecord(std::string_view table,
                                                                  std::string_view key) {
  return WithReader<std::optional<RecordRow>>(
      [&](PgConnection& conn) { return QueryRecord(conn, table, key); });
}

util::StatusOr<std::vector<AuditRow>> PostgresStore::AuditForEvent(std::string_view event_id) {
  return WithReader<std::vector<AuditRow>>(
      [&](PgConnection& conn) { return QueryAuditForEvent(conn, event_id); });
}

util::StatusOr<int64_t> PostgresStore::CountAudit() {
  return WithReader<int64_t>([](PgConnection& conn) { return QueryCount(conn, "audit_log"); });
}

util::StatusOr<int64_t> PostgresStore::CountOutbox() {
  return WithReader<int64_t>([](PgConnection& conn) { return QueryCount(conn, "outbox"); });
}

util::StatusOr<InboxBacklog> PostgresStore::Backlog() {
  return WithReader<InboxBacklog>([](PgConnection& conn) { return QueryBacklog(conn); });
}

util::StatusOr<std::optional<StoredEvent>> PostgresStore::LatestEventForObject(
    std::string_view object_id) {
  return WithReader<std::optional<StoredEvent>>(
      [&](PgConnection& conn) { return QueryLatestEventForObject(conn, object_id); });
}

util::StatusOr<ClusterRound> PostgresStore::ProcessDueInCluster(int64_t now_us, int limit,
                                                                int64_t after_rev,
                                                                const ClusterWork& work) {
  return cluster_->ProcessDue(now_us, limit, after_rev, work);
}

util::StatusOr<std::vector<RecordChange>> PostgresStore::RecordChangesSince(int64_t after_rev,
                                                                            int limit) {
  return WithReader<std::vector<RecordChange>>(
      [&](PgConnection& conn) { return QueryRecordChangesSince(conn, after_rev, limit); });
}

util::StatusOr<int64_t> PostgresStore::LatestRecordRev() {
  return WithReader<int64_t>([](PgConnection& conn) { return QueryLatestRecordRev(conn); });
}

util::StatusOr<bool> PostgresStore::HoldLeadership(std::string_view name) {
  return cluster_->HoldLeadership(name);
}

util::Status MigratePostgres(const std::string& url) {
  PgConnection::Options options;
  options.url = url;
  SH_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> conn, PgConnection::Connect(options));
  return ApplyPgMigrations(*conn, util::SystemClock::Default());
}

}  // namespace stripehook::store::postgres
