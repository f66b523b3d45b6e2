#include "store/postgres/pg_writer.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>

#include "store/commit_metrics.h"
#include "store/postgres/pg_writes.h"
#include "util/check.h"
#include "util/log.h"
#include "util/thread_name.h"

namespace stripehook::store::postgres {
namespace {

// Storage failures reach callers as "try again later", except a timeout, which says so.
util::Status AsBatchError(const util::Status& status) {
  if (status.code() == util::StatusCode::kDeadlineExceeded ||
      status.code() == util::StatusCode::kUnavailable) {
    return status;
  }
  return util::UnavailableError(status.message());
}

bool HasNul(const NewEvent& e) {
  auto nul = [](const std::string& s) { return s.find('\0') != std::string::npos; };
  return nul(e.id) || nul(e.type) || nul(e.object_id) || nul(e.object_type) || nul(e.source) ||
         nul(e.endpoint) || (e.api_version && nul(*e.api_version)) ||
         (e.account && nul(*e.account));
}

// Settings of the writer's session, made on every new connection. lz4: the payload (~3 KB of
// JSON) is compressed on insert, and pglz took 11 % of PostgreSQL's CPU per accepted event
// (perf under bench/postgres.sh); lz4 compresses it for a fraction of that. A server built without
// lz4 keeps pglz. force_generic_plan: every batch size is its own prepared statement, and
// PostgreSQL plans each one again on each of its first five executions (perf: GetCachedPlan).
util::Status ConfigureSession(PgConnection& conn) {
  util::Status lz4 = conn.Exec("SET default_toast_compression = lz4");
  if (!lz4.ok()) {
    if (conn.broken()) return lz4;
    util::LogWarn("store: PostgreSQL has no lz4; payloads are compressed with pglz")
        .Str("error", lz4.ToString());
  }
  return conn.Exec("SET plan_cache_mode = force_generic_plan");
}

util::Status CallWork(const PgWork& work, PgConnection& conn) {
  try {
    return work(conn);
  } catch (const std::exception& e) {
    return util::InternalError(std::string("write work threw: ") + e.what());
  } catch (...) {
    return util::InternalError("write work threw");
  }
}

}  // namespace

PgGroupCommitWriter::PgGroupCommitWriter(std::unique_ptr<PgConnection> conn, Options options)
    : options_(std::move(options)),
      conn_(std::move(conn)),
      backoff_(std::chrono::milliseconds(100), std::chrono::seconds(2)) {
  SH_CHECK(options_.clock != nullptr);
  SH_CHECK(options_.max_batch >= 1);
  thread_ = util::StartNamedThread("pg-writer", [this] { Run(); });
}

PgGroupCommitWriter::~PgGroupCommitWriter() { Shutdown(); }

void PgGroupCommitWriter::SubmitInsert(NewEvent event, InsertCallback done) {
  // libpq sends text parameters up to their first NUL: such an id would be stored cut short.
  if (HasNul(event)) return done(util::InvalidArgumentError("event fields hold a NUL byte"));
  if (event.received_at_us == 0) event.received_at_us = options_.clock->NowUnixMicros();
  Write write = Insert{std::move(event), std::move(done)};
  util::Status reason;
  if (!Enqueue(write, &reason)) std::get<Insert>(write).done(reason);
}

void PgGroupCommitWriter::SubmitWork(PgWork work, PgWorkDone done) {
  Write write = Work{std::move(work), std::move(done)};
  util::Status reason;
  if (!Enqueue(write, &reason)) std::get<Work>(write).done(reason);
}

bool PgGroupCommitWriter::Enqueue(Write& write, util::Status* reason) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      *reason = util::UnavailableError("store is shut down");
      return false;
    }
    if (queue_.size() >= options_.max_queue) {
      *reason = util::UnavailableError("store write queue is full");
      return false;
    }
    queue_.push_back(std::move(write));
    wake = idle_;  // while the writer commits, it finds new writes without a wake-up
  }
  if (wake) wake_.notify_one();
  return true;
}

std::vector<PgGroupCommitWriter::Write> PgGroupCommitWriter::TakeBatch() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_ = true;
  wake_.wait(lock, [this] { return !queue_.empty() || stopping_; });
  idle_ = false;
  // A batch is a run of one kind from the head of the queue (FIFO order is kept), as in the
  // SQLite writer: an acknowledgement never waits for a work's savepoints and statements, and a
  // batch of inserts is one statement that commits by itself.
  size_t n = std::min(queue_.size(), static_cast<size_t>(options_.max_batch));
  std::vector<Write> batch;
  batch.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && queue_.front().index() != batch.front().index()) break;
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;  // empty only when stopping with nothing left
}

void PgGroupCommitWriter::Run() {
  Results results;
  while (true) {
    std::vector<Write> batch = TakeBatch();
    if (batch.empty()) return;
    const auto started = std::chrono::steady_clock::now();
    util::Status status = Execute(batch, results);
    ObserveCommit(std::holds_alternative<Insert>(batch.front()), batch.size(),
                  std::chrono::steady_clock::now() - started);
    if (!status.ok()) {
      status = AsBatchError(status);
      failed_batches_.fetch_add(1, std::memory_order_relaxed);
      util::LogWarn("store batch failed")
          .Int("writes", static_cast<int64_t>(batch.size()))
          .Str("error", status.ToString());
      // A connection that broke (or is stuck in a transaction) is replaced before the next batch.
      if (conn_ != nullptr && (conn_->broken() || conn_->InTransaction())) conn_.reset();
    }
    const auto size = static_cast<int64_t>(batch.size());
    if (size > max_batch_size_.load(std::memory_order_relaxed)) max_batch_size_.store(size);
    batches_.fetch_add(1, std::memory_order_release);
    Deliver(batch, status, results);
  }
}

util::Status PgGroupCommitWriter::Execute(std::vector<Write>& batch, Results& results) {
  results.outcomes.clear();
  results.work_statuses.clear();
  results.insert_errors.clear();
  if (conn_ == nullptr) {
    SH_ASSIGN_OR_RETURN(conn_, backoff_.Connect(options_.connection));
    session_configured_ = false;
  }
  if (!session_configured_) {
    SH_RETURN_IF_ERROR(ConfigureSession(*conn_));
    session_configured_ = true;
  }
  if (std::holds_alternative<Work>(batch.front())) return ExecuteWorks(batch, results);
  std::vector<const NewEvent*> inserts;
  inserts.reserve(batch.size());
  for (Write& write : batch) inserts.push_back(&std::get<Insert>(write).event);
  events_.fetch_add(static_cast<int64_t>(inserts.size()), std::memory_order_relaxed);
  util::StatusOr<std::vector<InsertOutcome>> outcomes = InsertEvents(*conn_, inserts);
  if (outcomes.ok()) {
    results.outcomes = *std::move(outcomes);
    return util::OkStatus();
  }
  // A row PostgreSQL refuses (a NUL in a text field, say) must not fail the rows beside it.
  if (outcomes.status().code() != util::StatusCode::kInternal || inserts.size() == 1) {
    return outcomes.status();
  }
  return InsertOneByOne(inserts, results);
}

util::Status PgGroupCommitWriter::ExecuteWorks(std::vector<Write>& batch, Results& results) {
  PgTransaction txn(*conn_);
  SH_RETURN_IF_ERROR(txn.Begin());
  for (Write& write : batch) {
    results.work_statuses.emplace_back();
    SH_RETURN_IF_ERROR(RunWork(std::get<Work>(write), &results.work_statuses.back()));
  }
  return txn.Commit();
}

util::Status PgGroupCommitWriter::InsertOneByOne(const std::vector<const NewEvent*>& inserts,
                                                 Results& results) {
  results.outcomes.assign(inserts.size(), InsertOutcome::kInserted);
  results.insert_errors.assign(inserts.size(), util::OkStatus());
  for (size_t i = 0; i < inserts.size(); ++i) {
    util::StatusOr<std::vector<InsertOutcome>> one = InsertEvents(*conn_, {inserts[i]});
    if (one.ok()) {
      results.outcomes[i] = one->front();
    } else if (one.status().code() == util::StatusCode::kInternal) {
      results.insert_errors[i] = util::InvalidArgumentError(one.status().message());
    } else {
      return one.status();  // the connection, not the row: the whole batch fails
    }
  }
  return util::OkStatus();
}

util::Status PgGroupCommitWriter::RunWork(Work& work, util::Status* own) {
  SH_RETURN_IF_ERROR(conn_->Exec("SAVEPOINT work"));
  *own = CallWork(work.work, *conn_);
  // A lost connection inside the work fails the whole batch, not only the work.
  if (conn_->broken()) return own->ok() ? util::UnavailableError("connection lost") : *own;
  if (!own->ok()) SH_RETURN_IF_ERROR(conn_->Exec("ROLLBACK TO SAVEPOINT work"));
  return conn_->Exec("RELEASE SAVEPOINT work");
}

void PgGroupCommitWriter::Deliver(std::vector<Write>& batch, const util::Status& status,
                                  const Results& results) {
  size_t next_insert = 0, next_work = 0;
  for (Write& write : batch) {
    try {
      if (auto* insert = std::get_if<Insert>(&write)) {
        const size_t i = next_insert++;
        if (status.ok() && !results.insert_errors.empty() && !results.insert_errors[i].ok()) {
          insert->done(results.insert_errors[i]);
        } else if (status.ok()) {
          insert->done(results.outcomes[i]);
        } else {
          insert->done(status);
        }
      } else {
        const size_t i = next_work++;
        std::get<Work>(write).done(status.ok() ? results.work_statuses[i] : status);
      }
    } catch (...) {
      // The writer thread's last-resort catch: one bad callback must not stop the others.
      util::LogError("store write callback threw");
    }
  }
}

void PgGroupCommitWriter::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  std::lock_guard<std::mutex> lock(shutdown_mu_);
  if (thread_.joinable()) thread_.join();
}

PgWriterStats PgGroupCommitWriter::Stats() const {
  PgWriterStats stats;
  stats.batches = batches_.load(std::memory_order_acquire);
  stats.failed_batches = failed_batches_.load(std::memory_order_relaxed);
  stats.events = events_.load(std::memory_order_relaxed);
  stats.max_batch_size = max_batch_size_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace stripehook::store::postgres
