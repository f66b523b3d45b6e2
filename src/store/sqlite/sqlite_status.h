#pragma once

#include <sqlite3.h>

#include <string_view>

#include "util/status.h"

namespace stripehook::store::sqlite {

// Converts a SQLite result code into our Status, with `context` and SQLite's message:
//   SQLITE_BUSY / SQLITE_LOCKED            -> kDeadlineExceeded (locked past busy_timeout)
//   SQLITE_FULL, SQLITE_IOERR*, CANTOPEN,
//   READONLY, PROTOCOL, NOMEM              -> kUnavailable (storage is down; retry later)
//   SQLITE_CORRUPT, SQLITE_NOTADB          -> kDataLoss
//   SQLITE_CONSTRAINT                      -> kAlreadyExists
//   anything else                          -> kInternal (a bug of ours: bad SQL, misuse)
// `db` may be null (then the generic text of `rc` is used).
util::Status SqliteError(int rc, sqlite3* db, std::string_view context);

}  // namespace stripehook::store::sqlite
