#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "store/sqlite/connection.h"
#include "store/sqlite/statement.h"
#include "store/sqlite/statement_cache.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

// What a unit of work submitted with GroupCommitWriter::SubmitWrite sees: the writer connection,
// inside the open batch transaction, inside a SAVEPOINT of its own. Everything the work does
// commits atomically with the rest of the batch (one fsync) or not at all. Valid only during
// the call of the work function, on the writer thread. Never BEGIN/COMMIT/ROLLBACK through it.
class WriteTxn {
 public:
  WriteTxn(Connection& conn, StatementCache& cache, const util::Clock& clock)
      : conn_(conn), cache_(cache), clock_(clock) {}
  WriteTxn(const WriteTxn&) = delete;
  WriteTxn& operator=(const WriteTxn&) = delete;

  // A compiled statement for `sql` (compiled once per writer and cached), reset and unbound.
  // The pointer stays valid until the work returns; do not keep it.
  util::StatusOr<Statement*> Prepare(std::string_view sql) { return cache_.Get(sql); }
  // Runs statements that return no rows.
  util::Status Exec(std::string_view sql) { return conn_.Exec(sql); }
  int64_t Changes() const { return conn_.Changes(); }
  int64_t LastInsertRowid() const { return conn_.LastInsertRowid(); }
  const util::Clock& clock() const { return clock_; }

 private:
  Connection& conn_;
  StatementCache& cache_;
  const util::Clock& clock_;
};

// Work run on the writer thread in the batch transaction. A non-OK result rolls back only this
// work's changes (its savepoint) and is handed to its WriteDone; the rest of the batch commits.
using WriteWork = std::function<util::Status(WriteTxn&)>;
// Runs once on the writer thread: OK only after the work's changes are committed and synced.
using WriteDone = std::function<void(util::Status)>;

}  // namespace stripehook::store::sqlite
