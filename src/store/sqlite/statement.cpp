#include "store/sqlite/statement.h"

#include <utility>

#include "store/sqlite/sqlite_status.h"

namespace stripehook::store::sqlite {

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), bind_rc_(other.bind_rc_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_rc_ = other.bind_rc_;
  }
  return *this;
}

void Statement::NoteBindResult(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::BindInt64(int index, int64_t value) {
  NoteBindResult(sqlite3_bind_int64(stmt_, index, value));
}

void Statement::BindText(int index, std::string_view value) {
  // A default-constructed string_view has a null data(), which SQLite would bind as NULL.
  const char* data = value.empty() ? "" : value.data();
  NoteBindResult(sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8));
}

void Statement::BindBlob(int index, std::string_view value) {
  // A zero-length blob with a null pointer would bind NULL; "" keeps it an empty blob.
  const char* data = value.empty() ? "" : value.data();
  NoteBindResult(sqlite3_bind_blob64(stmt_, index, data, value.size(), SQLITE_STATIC));
}

void Statement::BindNull(int index) { NoteBindResult(sqlite3_bind_null(stmt_, index)); }

void Statement::BindOptionalText(int index, const std::optional<std::string>& value) {
  if (value) {
    BindText(index, *value);
  } else {
    BindNull(index);
  }
}

void Statement::BindOptionalInt64(int index, const std::optional<int64_t>& value) {
  if (value) {
    BindInt64(index, *value);
  } else {
    BindNull(index);
  }
}

util::StatusOr<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) return SqliteError(bind_rc_, nullptr, "bind");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(rc, db_, "step '" + SqlForErrors() + "'");
}

// The statement's text, cut short: enough to tell which query failed without flooding the log.
std::string Statement::SqlForErrors() const {
  constexpr size_t kMax = 60;
  const char* sql = sqlite3_sql(stmt_);
  std::string text = sql == nullptr ? "" : sql;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

util::Status Statement::Run() {
  while (true) {
    SH_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return util::OkStatus();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_rc_ = SQLITE_OK;
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string_view Statement::ColumnBytes(int column) const {
  // sqlite3_column_blob before _bytes, as SQLite's docs ask, so no type conversion intervenes.
  const void* data = sqlite3_column_blob(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return {};
  return {static_cast<const char*>(data), static_cast<size_t>(size)};
}

std::string Statement::ColumnString(int column) const { return std::string(ColumnBytes(column)); }

std::optional<std::string> Statement::ColumnOptionalString(int column) const {
  if (ColumnIsNull(column)) return std::nullopt;
  return ColumnString(column);
}

std::optional<int64_t> Statement::ColumnOptionalInt64(int column) const {
  if (ColumnIsNull(column)) return std::nullopt;
  return ColumnInt64(column);
}

std::string_view Statement::sql() const {
  const char* text = stmt_ ? sqlite3_sql(stmt_) : nullptr;
  return text ? std::string_view(text) : std::string_view();
}

}  // namespace stripehook::store::sqlite
