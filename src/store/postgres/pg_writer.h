#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_pool.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace stripehook::store::postgres {

// A unit of store-internal writing run inside the writer's transaction (CommitProcessing,
// RequeueEvents). Its own failure rolls back only its own writes (a savepoint).
using PgWork = std::function<util::Status(PgConnection&)>;
using PgWorkDone = std::function<void(util::Status)>;

struct PgWriterStats {
  int64_t batches = 0;
  int64_t failed_batches = 0;
  int64_t events = 0;
  int64_t max_batch_size = 0;
};

// Group commit on PostgreSQL: one thread with its own connection takes the run of writes of one
// kind at the head of its queue (up to max_batch) and writes it in ONE transaction. A batch of
// inserts is a single multi-row INSERT that commits by itself (one round trip); a batch of works
// runs BEGIN, each work under a savepoint, COMMIT. Callbacks run on the writer thread
// after COMMIT returned (synchronous_commit decides what "durable" means; on by default), or with
// the batch's error: kUnavailable when PostgreSQL is unreachable or the connection broke (then
// the writer reconnects with backoff, failing batches at once meanwhile), kDeadlineExceeded on
// statement_timeout. A row PostgreSQL refuses (text that is not UTF-8) fails alone: the batch is
// retried row by row. An event with a NUL byte in a text field gets kInvalidArgument at once on
// the caller's thread (libpq would cut it short). Submit* never blocks; after Shutdown() or past
// max_queue queued writes, `done` runs at once on the caller's thread with kUnavailable.
// Thread-safe.
class PgGroupCommitWriter {
 public:
  struct Options {
    PgConnection::Options connection;
    int max_batch = 512;
    size_t max_queue = 100000;
    const util::Clock* clock = nullptr;  // stamps received_at when an event has none; required
  };

  // Takes `conn` (connected, migrated) and starts the thread.
  PgGroupCommitWriter(std::unique_ptr<PgConnection> conn, Options options);
  ~PgGroupCommitWriter();  // Shutdown()
  PgGroupCommitWriter(const PgGroupCommitWriter&) = delete;
  PgGroupCommitWriter& operator=(const PgGroupCommitWriter&) = delete;

  void SubmitInsert(NewEvent event, InsertCallback done);
  void SubmitWork(PgWork work, PgWorkDone done);
  // Commits everything already queued (callbacks run), then stops. Idempotent.
  void Shutdown();
  PgWriterStats Stats() const;

 private:
  struct Insert {
    NewEvent event;
    InsertCallback done;
  };
  struct Work {
    PgWork work;
    PgWorkDone done;
  };
  using Write = std::variant<Insert, Work>;
  struct Results {
    std::vector<InsertOutcome> outcomes;      // per Insert, in batch order
    std::vector<util::Status> insert_errors;  // per Insert when inserted one by one; else empty
    std::vector<util::Status> work_statuses;  // per Work, in batch order
  };

  bool Enqueue(Write& write, util::Status* reason) EXCLUDES(mu_);
  std::vector<Write> TakeBatch() EXCLUDES(mu_);
  void Run();
  util::Status Execute(std::vector<Write>& batch, Results& results);
  // A batch of works: BEGIN, each work under its savepoint, COMMIT.
  util::Status ExecuteWorks(std::vector<Write>& batch, Results& results);
  util::Status RunWork(Work& work, util::Status* own);
  // After a batch insert failed on a row's data: each row alone, so only bad rows fail.
  util::Status InsertOneByOne(const std::vector<const NewEvent*>& inserts, Results& results);
  void Deliver(std::vector<Write>& batch, const util::Status& status, const Results& results);

  const Options options_;
  std::unique_ptr<PgConnection> conn_;  // writer thread only; null while disconnected
  ReconnectBackoff backoff_;            // writer thread only
  bool session_configured_ = false;     // writer thread only: ConfigureSession ran on conn_

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Write> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  bool idle_ GUARDED_BY(mu_) = false;
  std::mutex shutdown_mu_;
  std::thread thread_;

  std::atomic<int64_t> batches_{0}, failed_batches_{0}, events_{0}, max_batch_size_{0};
};

}  // namespace stripehook::store::postgres
