#pragma once

#include <span>
#include <string>
#include <string_view>

#include "store/sqlite/connection.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

// One step of the schema. Versions start at 1 and increase by one; a released migration is
// never edited, only followed by a new one (appended to the list in schema.cpp).
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;  // one or more statements
};

// Every migration this binary knows, in version order.
std::span<const Migration> Migrations();

// Brings the database on `conn` up to the latest version. Each pending migration runs in its
// own IMMEDIATE transaction together with its schema_migrations row, so a crash leaves the
// schema at a version boundary, and two processes migrating at once apply each step once.
// Running it on an up-to-date database changes nothing.
// kFailedPrecondition when the file holds a version newer than this binary knows.
util::Status ApplyMigrations(Connection& conn, const util::Clock& clock);

// For `stripehook migrate`: opens (creating if needed) the SQLite file at `path`, puts it in WAL
// mode and applies every pending migration. kUnavailable when the file cannot be opened.
util::Status MigrateSqlite(const std::string& path);

}  // namespace stripehook::store::sqlite
