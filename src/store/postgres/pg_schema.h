#pragma once

#include <span>
#include <string_view>

#include "store/postgres/pg_connection.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::store::postgres {

// One step of the PostgreSQL schema; versions mirror src/store/sqlite/schema.cpp one for one
// (same tables, same meaning), so `schema_migrations` reads the same on both engines. A released
// migration is never edited, only followed by a new one. Exception: version 6 (record revs, for
// following other instances) is PostgreSQL's own; single-instance SQLite has no such step, so
// from there on the numbers of the two engines need not match.
struct PgMigration {
  int version;
  std::string_view name;
  std::string_view sql;
};

std::span<const PgMigration> PgMigrations();

// Brings the database up to the latest version. Holds a session advisory lock while it
// migrates, so instances starting at once apply each step exactly once (the others wait, then
// find nothing to do); each step commits with its schema_migrations row.
// kFailedPrecondition when the database holds a newer version than this binary knows.
util::Status ApplyPgMigrations(PgConnection& conn, const util::Clock& clock);

}  // namespace stripehook::store::postgres
