#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace stripehook::store::sqlite {

// A prepared statement (Chromium sql::Statement, SQLiteCpp Statement): owns the sqlite3_stmt and
// finalizes it on destruction. Parameters and columns are numbered as SQLite numbers them:
// parameters from 1, columns from 0.
//
// Bound text and blobs are NOT copied: the caller keeps them alive until the statement is reset
// or destroyed. A binding error is remembered and reported by the next Step()/Run().
// Not thread-safe; used only by the thread that owns its Connection.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void BindInt64(int index, int64_t value);
  void BindText(int index, std::string_view value);
  void BindBlob(int index, std::string_view value);
  void BindNull(int index);
  void BindOptionalText(int index, const std::optional<std::string>& value);
  void BindOptionalInt64(int index, const std::optional<int64_t>& value);

  // true: a row is ready to read; false: the statement is done. Errors as SqliteError.
  util::StatusOr<bool> Step();
  // Steps to completion, ignoring rows (INSERT, UPDATE, DDL).
  util::Status Run();
  // Makes the statement ready to run again, with every parameter unbound.
  void Reset();

  int64_t ColumnInt64(int column) const;
  bool ColumnIsNull(int column) const;
  // TEXT or BLOB, byte for byte.
  std::string ColumnString(int column) const;
  // The same without a copy: valid until the next Step or Reset.
  std::string_view ColumnBytes(int column) const;
  std::optional<std::string> ColumnOptionalString(int column) const;
  std::optional<int64_t> ColumnOptionalInt64(int column) const;

  std::string_view sql() const;

 private:
  std::string SqlForErrors() const;
  void NoteBindResult(int rc);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  int bind_rc_ = SQLITE_OK;
};

}  // namespace stripehook::store::sqlite
