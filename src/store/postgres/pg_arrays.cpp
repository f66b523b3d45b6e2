#include "store/postgres/pg_arrays.h"

#include <utility>

namespace stripehook::store::postgres {
namespace {

void AppendInt32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

void AppendInt64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

template <typename Range>
PgParam FilterArray(const Range& values) {
  PgArrayParam array = PgArrayParam::Text();
  for (const std::string& v : values) {
    if (v.find('\0') == std::string::npos) array.AddText(v);
  }
  return std::move(array).Build();
}

}  // namespace

void PgArrayParam::AddText(std::string_view value) {
  value = value.substr(0, value.find('\0'));
  AppendInt32(elements_, static_cast<uint32_t>(value.size()));
  elements_.append(value);
  ++count_;
}

void PgArrayParam::AddInt(int64_t value) {
  AppendInt32(elements_, 8);
  AppendInt64(elements_, static_cast<uint64_t>(value));
  ++count_;
}

void PgArrayParam::AddNull() {
  AppendInt32(elements_, 0xffffffffu);  // length -1
  has_null_ = true;
  ++count_;
}

void PgArrayParam::AddOptText(const std::optional<std::string>& value) {
  value ? AddText(*value) : AddNull();
}

void PgArrayParam::AddOptInt(const std::optional<int64_t>& value) {
  value ? AddInt(*value) : AddNull();
}

PgParam PgArrayParam::Build() && {
  // array_recv's layout: ndim, has-nulls flag, element type, then per dimension (size, lower
  // bound), then each element as (length or -1, bytes). Zero dimensions is the empty array.
  std::string out;
  out.reserve(20 + elements_.size());
  AppendInt32(out, count_ == 0 ? 0 : 1);
  AppendInt32(out, has_null_ ? 1 : 0);
  AppendInt32(out, oid_);
  if (count_ != 0) {
    AppendInt32(out, static_cast<uint32_t>(count_));
    AppendInt32(out, 1);
  }
  out += elements_;
  return PgParam::Bytes(std::move(out));
}

PgParam TextArrayParam(const std::vector<std::string>& values) { return FilterArray(values); }
PgParam TextArrayParam(const std::set<std::string>& values) { return FilterArray(values); }

}  // namespace stripehook::store::postgres
