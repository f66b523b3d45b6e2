#include "store/sqlite/pragmas.h"

#include <chrono>
#include <string>
#include <thread>

namespace stripehook::store::sqlite {
namespace {

// Switching a fresh file to WAL needs an exclusive lock, and SQLite answers BUSY at once instead
// of calling the busy handler while another process is switching too (two instances started
// together on a new file). Retrying for as long as a busy timeout would have waited fixes that.
util::StatusOr<bool> StepJournalModeRetryingBusy(Statement& stmt) {
  constexpr auto kPatience = std::chrono::seconds(5);
  constexpr auto kPause = std::chrono::milliseconds(5);
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  while (true) {
    util::StatusOr<bool> row = stmt.Step();
    if (row.ok() || row.status().code() != util::StatusCode::kDeadlineExceeded ||
        std::chrono::steady_clock::now() >= deadline) {
      return row;
    }
    stmt.Reset();
    std::this_thread::sleep_for(kPause);
  }
}

util::Status ExpectWal(Connection& conn) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare("PRAGMA journal_mode=WAL"));
  SH_ASSIGN_OR_RETURN(bool row, StepJournalModeRetryingBusy(stmt));
  std::string mode = row ? stmt.ColumnString(0) : "";
  if (mode != "wal") {
    return util::UnavailableError("cannot put " + conn.path() + " in WAL mode (got '" + mode +
                                  "')");
  }
  return util::OkStatus();
}

}  // namespace

util::Status ConfigureWriter(Connection& conn, const WriterTuning& tuning) {
  // page_size only takes effect on a file that has no tables yet; harmless afterwards.
  SH_RETURN_IF_ERROR(conn.Exec("PRAGMA page_size=4096"));
  SH_RETURN_IF_ERROR(ExpectWal(conn));
  std::string sql = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;";
  sql += "PRAGMA cache_size=-" + std::to_string(tuning.cache_kib) + ";";
  sql += "PRAGMA wal_autocheckpoint=" + std::to_string(tuning.wal_autocheckpoint) + ";";
  sql += "PRAGMA journal_size_limit=" + std::to_string(tuning.journal_size_limit) + ";";
  return conn.Exec(sql);
}

util::Status ConfigureReader(Connection& conn, int64_t cache_kib) {
  return conn.Exec("PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-" +
                   std::to_string(cache_kib));
}

}  // namespace stripehook::store::sqlite
