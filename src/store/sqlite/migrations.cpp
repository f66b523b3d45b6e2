#include "store/sqlite/migrations.h"

#include <string>

#include "store/sqlite/pragmas.h"
#include "store/sqlite/transaction.h"
#include "util/log.h"

namespace stripehook::store::sqlite {
namespace {

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)";
constexpr std::string_view kSelectMaxVersion =
    "SELECT coalesce(max(version), 0) FROM schema_migrations";
constexpr std::string_view kSelectVersion = "SELECT 1 FROM schema_migrations WHERE version = ?";
constexpr std::string_view kInsertVersion =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";

util::StatusOr<int64_t> MaxVersion(Connection& conn) {
  SH_ASSIGN_OR_RETURN(Statement stmt, conn.Prepare(kSelectMaxVersion));
  SH_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.ColumnInt64(0) : 0;
}

// Applies `migration` unless present; the check runs inside the write transaction, so a second
// process that migrated meanwhile is seen and nothing is applied twice.
util::Status ApplyOne(Connection& conn, const Migration& migration, const util::Clock& clock) {
  Transaction txn(conn);
  SH_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
  SH_ASSIGN_OR_RETURN(Statement check, conn.Prepare(kSelectVersion));
  check.BindInt64(1, migration.version);
  SH_ASSIGN_OR_RETURN(bool present, check.Step());
  if (present) return util::OkStatus();  // rolled back: nothing was written
  SH_RETURN_IF_ERROR(
      conn.Exec(migration.sql).Annotate("migration " + std::to_string(migration.version)));
  SH_ASSIGN_OR_RETURN(Statement insert, conn.Prepare(kInsertVersion));
  insert.BindInt64(1, migration.version);
  insert.BindText(2, migration.name);
  insert.BindInt64(3, clock.NowUnixMicros());
  SH_RETURN_IF_ERROR(insert.Run());
  SH_RETURN_IF_ERROR(txn.Commit());
  util::LogInfo("store migration applied")
      .Int("version", migration.version)
      .Str("name", migration.name);
  return util::OkStatus();
}

}  // namespace

util::Status ApplyMigrations(Connection& conn, const util::Clock& clock) {
  SH_RETURN_IF_ERROR(conn.Exec(kCreateMigrationsTable));
  SH_ASSIGN_OR_RETURN(int64_t current, MaxVersion(conn));
  std::span<const Migration> all = Migrations();
  const int64_t latest = all.empty() ? 0 : all.back().version;
  if (current > latest) {
    return util::FailedPreconditionError("database schema version " + std::to_string(current) +
                                         " is newer than this binary's " + std::to_string(latest) +
                                         "; upgrade stripehook");
  }
  for (const Migration& migration : all) {
    if (migration.version <= current) continue;
    SH_RETURN_IF_ERROR(ApplyOne(conn, migration, clock));
  }
  return util::OkStatus();
}

util::Status MigrateSqlite(const std::string& path) {
  SH_ASSIGN_OR_RETURN(std::unique_ptr<Connection> conn, Connection::Open(path, {}));
  SH_RETURN_IF_ERROR(ConfigureWriter(*conn, WriterTuning{}));
  return ApplyMigrations(*conn, util::SystemClock::Default());
}

}  // namespace stripehook::store::sqlite
