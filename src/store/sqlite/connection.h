#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "store/sqlite/statement.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

struct ConnectionOptions {
  bool read_only = false;  // read-write connections create the file when it is missing
  std::string vfs;         // empty: SQLite's default VFS
  int64_t busy_timeout_ms = 5000;
};

// One SQLite connection (SQLiteCpp Database, Chromium sql::Database): owns the sqlite3* and
// closes it on destruction; extended result codes are on. Not thread-safe: one thread at a
// time (the connection is opened with SQLITE_OPEN_NOMUTEX).
class Connection {
 public:
  // kUnavailable when the file cannot be opened.
  static util::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path,
                                                          const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements that return no rows we need (DDL, PRAGMA, BEGIN/COMMIT).
  util::Status Exec(std::string_view sql);
  // Compiles one statement. `persistent` hints that it will be reused many times.
  util::StatusOr<Statement> Prepare(std::string_view sql, bool persistent = false);

  // Rows changed by the most recent INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;
  int64_t LastInsertRowid() const;
  // True between BEGIN and COMMIT/ROLLBACK (SQLite may end a transaction by itself on errors).
  bool InTransaction() const;

  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
};

}  // namespace stripehook::store::sqlite
