#include "store/sqlite/transaction.h"

namespace stripehook::store::sqlite {

util::Status Transaction::Begin(Mode mode) {
  SH_CHECK(!active_);
  SH_RETURN_IF_ERROR(conn_.Exec(mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN"));
  active_ = true;
  return util::OkStatus();
}

util::Status Transaction::Commit() {
  SH_CHECK(active_);
  util::Status status = conn_.Exec("COMMIT");
  if (status.ok()) {
    active_ = false;
    return status;
  }
  Rollback();
  return status;
}

void Transaction::Rollback() {
  if (!active_) return;
  active_ = false;
  // After SQLITE_FULL/IOERR SQLite may have rolled back already; a second ROLLBACK would fail.
  if (conn_.InTransaction()) {
    (void)conn_.Exec("ROLLBACK");
  }
}

}  // namespace stripehook::store::sqlite
