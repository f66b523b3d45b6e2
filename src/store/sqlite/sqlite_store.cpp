#include "store/sqlite/sqlite_store.h"

#include <utility>

#include "store/sqlite/event_queries.h"
#include "store/sqlite/fault_vfs.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/outbox_queries.h"
#include "store/sqlite/payload_codec.h"
#include "store/sqlite/pragmas.h"
#include "store/sqlite/wal_buffering_vfs.h"

namespace stripehook::store::sqlite {
namespace {

constexpr std::string_view kPingSql = "SELECT count(*) FROM schema_migrations";

util::StatusOr<std::unique_ptr<Connection>> OpenWriter(const SqliteOptions& options) {
  ConnectionOptions conn_options;
  conn_options.busy_timeout_ms = options.busy_timeout_ms;
  if (!options.fault_file.empty()) {
    SH_ASSIGN_OR_RETURN(conn_options.vfs, FaultInjectingVfs(options.fault_file));
  }
  SH_ASSIGN_OR_RETURN(conn_options.vfs, WalBufferingVfs(conn_options.vfs));
  SH_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn,
                      Connection::Open(options.path, conn_options));
  WriterTuning tuning;
  tuning.wal_autocheckpoint = 0;  // the WalCheckpointer's thread checkpoints, not the writer
  SH_RETURN_IF_ERROR(ConfigureWriter(*conn, tuning));
  SH_RETURN_IF_ERROR(ApplyMigrations(*conn, *options.clock));
  // What an earlier process committed may still be only in the page cache (it died before a
  // deferred sync): a checkpoint syncs the WAL before copying it, so from here on every row in
  // the file is durable, and the outbox rows already there may be delivered.
  SH_RETURN_IF_ERROR(conn->Exec("PRAGMA wal_checkpoint(PASSIVE)"));
  return conn;
}

}  // namespace

util::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(SqliteOptions options) {
  if (options.clock == nullptr) options.clock = &util::SystemClock::Default();
  if (options.max_batch < 1 || options.max_queue < 1 || options.commit_gather_us < 0 ||
      options.deferred_sync_us < 0) {
    return util::InvalidArgumentError(
        "max_batch and max_queue must be positive, commit_gather_us and deferred_sync_us not "
        "negative");
  }
  SH_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, OpenWriter(options));
  SH_ASSIGN_OR_RETURN(int64_t deliverable_outbox_seq, QueryLastOutboxSeq(*conn));
  // Readers open after the writer has put the file in WAL mode and created the schema.
  SH_ASSIGN_OR_RETURN(
      std::unique_ptr<ReadPool> readers,
      ReadPool::Open(options.path, options.read_connections, options.busy_timeout_ms));
  SH_ASSIGN_OR_RETURN(
      std::unique_ptr<WalCheckpointer> checkpointer,
      WalCheckpointer::Start(options.path, options.busy_timeout_ms, options.checkpoints));
  checkpointer->Install(*conn);
  GroupCommitWriter::Options writer_options;
  writer_options.max_batch = options.max_batch;
  writer_options.max_queue = static_cast<size_t>(options.max_queue);
  writer_options.clock = options.clock;
  writer_options.gather = std::chrono::microseconds(options.commit_gather_us);
  writer_options.sync_delay = std::chrono::microseconds(options.deferred_sync_us);
  writer_options.between_batches = [raw = checkpointer.get()] { raw->RunWriterJob(); };
  auto writer = std::make_unique<GroupCommitWriter>(std::move(conn), writer_options);
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(readers), std::move(checkpointer),
                                                      std::move(writer), deliverable_outbox_seq));
}

SqliteStore::~SqliteStore() { Shutdown(); }

void SqliteStore::InsertEventAsync(NewEvent event, InsertCallback done) {
  // Compressed here, on the caller's (an HTTP) thread, so that the single writer only copies the
  // smaller blob: from here on `payload` holds the stored form (payload_codec.h).
  event.payload = EncodePayload(std::move(event.payload));
  writer_->SubmitInsert(std::move(event), std::move(done));
}

void SqliteStore::SubmitWrite(WriteWork work, WriteDone done) {
  writer_->SubmitWrite(std::move(work), std::move(done));
}

util::StatusOr<StoredEvent> SqliteStore::GetEvent(std::string_view id) {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryEvent(lease.conn(), id);
}

util::StatusOr<EventPage> SqliteStore::ListEvents(const EventFilter& filter) {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryEvents(lease.conn(), filter);
}

util::StatusOr<int64_t> SqliteStore::CountEvents() {
  ReadPool::Lease lease = readers_->Acquire();
  return QueryEventCount(lease.conn());
}

util::Status SqliteStore::Ping() {
  ReadPool::Lease lease = readers_->Acquire();
  SH_ASSIGN_OR_RETURN(Statement stmt, lease.conn().Prepare(kPingSql));
  return stmt.Step().status();
}

void SqliteStore::Shutdown() {
  writer_->Shutdown();  // first: its last commits may still call the checkpointer
  checkpointer_->Stop();
}

}  // namespace stripehook::store::sqlite
