#include "store/sqlite/statement_cache.h"

#include <utility>

namespace stripehook::store::sqlite {

util::StatusOr<Statement*> StatementCache::Get(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    SH_ASSIGN_OR_RETURN(Statement stmt, conn_.Prepare(sql, /*persistent=*/true));
    it = statements_.emplace(std::string(sql), std::move(stmt)).first;
  } else {
    it->second.Reset();
  }
  return &it->second;
}

}  // namespace stripehook::store::sqlite
