#include "store/sqlite/sqlite_status.h"

#include <string>

namespace stripehook::store::sqlite {
namespace {

util::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return util::StatusCode::kDeadlineExceeded;
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
      return util::StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return util::StatusCode::kDataLoss;
    case SQLITE_CONSTRAINT:
      return util::StatusCode::kAlreadyExists;
    default:
      return util::StatusCode::kInternal;
  }
}

}  // namespace

util::Status SqliteError(int rc, sqlite3* db, std::string_view context) {
  std::string message(context);
  message += ": ";
  // sqlite3_errmsg describes the most recent failure on `db`, which is `rc` when called at once.
  message += (db != nullptr && (sqlite3_extended_errcode(db) & 0xff) == (rc & 0xff))
                 ? sqlite3_errmsg(db)
                 : sqlite3_errstr(rc);
  message += " (sqlite code " + std::to_string(rc) + ")";
  return util::Status(CodeFor(rc), std::move(message));
}

}  // namespace stripehook::store::sqlite
