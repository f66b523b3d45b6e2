#pragma once

#include <map>
#include <string>
#include <string_view>

#include "store/sqlite/connection.h"
#include "store/sqlite/statement.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

// Statements compiled once and reused, keyed by their SQL text, for a connection that runs the
// same few statements many times (the writer). Not thread-safe; must not outlive `conn`.
class StatementCache {
 public:
  explicit StatementCache(Connection& conn) : conn_(conn) {}

  // The statement for `sql`, reset and with no parameters bound. Valid until the cache dies.
  util::StatusOr<Statement*> Get(std::string_view sql);

 private:
  Connection& conn_;
  std::map<std::string, Statement, std::less<>> statements_;
};

}  // namespace stripehook::store::sqlite
