#pragma once

#include "store/sqlite/connection.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

// A transaction on one Connection (SQLiteCpp Transaction): rolled back on destruction unless
// Commit() succeeded. Not thread-safe.
//
//   Transaction txn(conn);
//   SH_RETURN_IF_ERROR(txn.Begin(Transaction::Mode::kImmediate));
//   ... statements ...
//   return txn.Commit();
class Transaction {
 public:
  enum class Mode {
    kDeferred,   // takes the write lock at the first write (readers)
    kImmediate,  // takes the write lock now, so SQLITE_BUSY can only happen here, not mid-way
  };

  explicit Transaction(Connection& conn) : conn_(conn) {}
  ~Transaction() { Rollback(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  util::Status Begin(Mode mode);
  // On failure the transaction is rolled back (now, or by the destructor).
  util::Status Commit();
  // No-op when not active; safe when SQLite already rolled back by itself.
  void Rollback();

  bool active() const { return active_; }

 private:
  Connection& conn_;
  bool active_ = false;
};

}  // namespace stripehook::store::sqlite
