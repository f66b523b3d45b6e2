#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "store/postgres/pg_connection.h"

namespace stripehook::store::postgres {

// Builds one array parameter (text[] or bigint[]) in PostgreSQL's binary array format, so a whole
// batch of values travels as one parameter with no quoting or escaping; the statement casts it
// ($n::text[], $n::bigint[]) and unnests it. Elements are appended in order; NULLs allowed.
class PgArrayParam {
 public:
  static PgArrayParam Text() { return PgArrayParam(kTextOid); }
  static PgArrayParam BigInt() { return PgArrayParam(kInt8Oid); }

  // A text element. Like a text parameter (which libpq sends up to its first NUL), it stores the
  // value up to its first NUL byte: PostgreSQL's text can hold none.
  void AddText(std::string_view value);
  void AddInt(int64_t value);
  void AddNull();
  void AddOptText(const std::optional<std::string>& value);
  void AddOptInt(const std::optional<int64_t>& value);

  size_t size() const { return count_; }
  // The parameter (binary format). The builder is spent afterwards.
  PgParam Build() &&;

 private:
  static constexpr uint32_t kTextOid = 25;  // pg_type.oid values, fixed since PostgreSQL 7
  static constexpr uint32_t kInt8Oid = 20;
  explicit PgArrayParam(uint32_t oid) : oid_(oid) {}

  uint32_t oid_;
  size_t count_ = 0;
  bool has_null_ = false;
  std::string elements_;
};

// `values` as one text[] filter parameter. A value holding a NUL byte (which no stored text can
// hold, so it matches nothing) is left out rather than cut short.
PgParam TextArrayParam(const std::vector<std::string>& values);
PgParam TextArrayParam(const std::set<std::string>& values);

}  // namespace stripehook::store::postgres
