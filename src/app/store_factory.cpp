#include "app/store_factory.h"

#include "store/postgres/postgres_store.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_store.h"

namespace stripehook::app {
namespace {

bool IsPostgresUrl(const std::string& url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

// busy_timeout_ms is "how long the database may make a request wait before 503": on PostgreSQL
// that is the statement timeout.
util::StatusOr<std::unique_ptr<store::Store>> OpenPostgres(const Config& config,
                                                           const util::Clock* clock) {
  store::postgres::PostgresOptions options;
  options.url = config.database.url;
  options.statement_timeout_ms = config.database.busy_timeout_ms;
  options.max_batch = config.database.max_batch;
  options.read_connections = config.database.read_connections;
  options.clock = clock;
  SH_ASSIGN_OR_RETURN(std::unique_ptr<store::postgres::PostgresStore> store,
                      store::postgres::PostgresStore::Open(options));
  return std::unique_ptr<store::Store>(std::move(store));
}

}  // namespace

util::StatusOr<std::unique_ptr<store::Store>> OpenStore(const Config& config,
                                                        const util::Clock* clock) {
  if (IsPostgresUrl(config.database.url)) return OpenPostgres(config, clock);
  SH_ASSIGN_OR_RETURN(std::string path, SqlitePathFromUrl(config.database.url));
  store::sqlite::SqliteOptions options;
  options.path = path;
  options.busy_timeout_ms = config.database.busy_timeout_ms;
  options.max_batch = config.database.max_batch;
  options.read_connections = config.database.read_connections;
  options.fault_file = config.testing.storage_fault_file;
  options.clock = clock;
  SH_ASSIGN_OR_RETURN(std::unique_ptr<store::sqlite::SqliteStore> store,
                      store::sqlite::SqliteStore::Open(options));
  return std::unique_ptr<store::Store>(std::move(store));
}

util::Status MigrateStore(const Config& config) {
  if (IsPostgresUrl(config.database.url)) {
    return store::postgres::MigratePostgres(config.database.url);
  }
  SH_ASSIGN_OR_RETURN(std::string path, SqlitePathFromUrl(config.database.url));
  return store::sqlite::MigrateSqlite(path);
}

}  // namespace stripehook::app
