#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/group_commit_writer.h"
#include "store/sqlite/read_pool.h"
#include "store/sqlite/wal_checkpointer.h"
#include "store/sqlite/write_txn.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

struct SqliteOptions {
  std::string path;  // the database file; created when missing
  int64_t busy_timeout_ms = 5000;
  int max_batch = 512;     // writes per group-commit transaction
  int max_queue = 100000;  // queued writes beyond which submits fail with kUnavailable
  // How long a short write queue waits for more before a commit (GroupCommitWriter::Options).
  int64_t commit_gather_us = 250;
  // How long a processing commit may wait for an insert commit's fsync to cover it before the
  // writer syncs alone (GroupCommitWriter::Options::sync_delay); 0: each makes its own.
  int64_t deferred_sync_us = 2000;
  int read_connections = 4;
  CheckpointerOptions checkpoints;  // WAL checkpoints run on a thread of their own
  // Test-only: while a file exists at this path, every write and sync of the writer connection
  // fails as on a full disk (SQLITE_FULL), so commits fail and roll back (see fault_vfs.h).
  std::string fault_file;
  const util::Clock* clock = nullptr;  // null: the system clock
};

// The embedded store: SQLite in WAL mode with synchronous=FULL. One GroupCommitWriter thread
// owns the only read-write connection; queries use a pool of read-only connections, which WAL
// lets run while the writer commits. Thread-safe; see Store for the contract of each method.
class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database, applies pending migrations, starts the writer.
  // kUnavailable when the file cannot be opened or written; kFailedPrecondition when its schema
  // is newer than this binary.
  static util::StatusOr<std::unique_ptr<SqliteStore>> Open(SqliteOptions options);
  ~SqliteStore() override;  // Shutdown()

  void InsertEventAsync(NewEvent event, InsertCallback done) override;
  util::StatusOr<StoredEvent> GetEvent(std::string_view id) override;
  util::StatusOr<EventPage> ListEvents(const EventFilter& filter) override;
  util::StatusOr<int64_t> CountEvents() override;
  util::Status Ping() override;
  void Shutdown() override;

  // Processing, records, audit, outbox: defined in sqlite_store_processing.cpp.
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

  // Admin read models and cleanup: defined in sqlite_store_admin.cpp.
  util::StatusOr<EventPage> ListEventsForAdmin(const AdminEventFilter& filter) override;
  util::StatusOr<EventWindowStats> StatsSince(int64_t since_us) override;
  util::StatusOr<InboxBacklog> Backlog() override;
  util::StatusOr<std::optional<StoredEvent>> LatestEventForObject(
      std::string_view object_id) override;
  util::StatusOr<int64_t> CleanupEvents(int64_t received_before_us,
                                        const std::set<std::string>& keep) override;

  // Outbox delivery (notify/): defined in sqlite_store_outbox.cpp.
  util::StatusOr<std::vector<OutboxEntry>> OpenOutbox(int64_t after_id, int limit) override;
  util::Status UpdateOutbox(std::vector<OutboxUpdate> updates) override;
  util::StatusOr<OutboxPage> ListOutbox(const OutboxFilter& filter) override;
  util::StatusOr<OutboxEntry> GetOutbox(int64_t id) override;
  util::StatusOr<int64_t> RequeueOutbox(std::optional<int64_t> id) override;

  // Runs `work` on the writer thread in the next group-commit transaction; `done` gets OK after
  // its changes are durable. For store-internal writes (pipeline state commits). See write_txn.h.
  void SubmitWrite(WriteWork work, WriteDone done);

  WriterStats writer_stats() const { return writer_->Stats(); }
  CheckpointerStats checkpointer_stats() const { return checkpointer_->Stats(); }

 private:
  SqliteStore(std::unique_ptr<ReadPool> readers, std::unique_ptr<WalCheckpointer> checkpointer,
              std::unique_ptr<GroupCommitWriter> writer, int64_t deliverable_outbox_seq)
      : readers_(std::move(readers)),
        checkpointer_(std::move(checkpointer)),
        writer_(std::move(writer)),
        deliverable_outbox_seq_(deliverable_outbox_seq) {}
  // Outbox rows up to `seq` are committed and synced.
  void RaiseDeliverableOutbox(int64_t seq);

  std::unique_ptr<ReadPool> readers_;
  // Declared before writer_ so that it is destroyed after it: the writer's WAL hook calls it.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  std::unique_ptr<GroupCommitWriter> writer_;
  // OpenOutbox returns no row past this seq: the last one known to be synced.
  std::atomic<int64_t> deliverable_outbox_seq_;
};

}  // namespace stripehook::store::sqlite
