#include "billing/serialization.h"

#include <algorithm>
#include <vector>

namespace stripehook::billing {
namespace {

void WriteCanonical(const boost::json::value& value, std::string& out) {
  if (!value.is_object() && !value.is_array()) {
    out += boost::json::serialize(value);
    return;
  }
  if (value.is_array()) {
    out += '[';
    bool first = true;
    for (const boost::json::value& element : value.get_array()) {
      if (!first) out += ',';
      first = false;
      WriteCanonical(element, out);
    }
    out += ']';
    return;
  }
  const boost::json::object& object = value.get_object();
  std::vector<const boost::json::key_value_pair*> entries;
  for (const auto& entry : object) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(),
            [](const auto* a, const auto* b) { return a->key() < b->key(); });
  out += '{';
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) out += ',';
    out += boost::json::serialize(boost::json::value(entries[i]->key()));
    out += ':';
    WriteCanonical(entries[i]->value(), out);
  }
  out += '}';
}

// Boost.JSON's value_to throws on a shape mismatch; this is the one place that converts that
// into a Status.
template <typename T>
util::StatusOr<Record> Convert(const boost::json::value& value) {
  try {
    return Record(boost::json::value_to<T>(value));
  } catch (const std::exception& e) {
    return util::InvalidArgumentError(std::string("record: ") + e.what());
  }
}

template <size_t I = 0>
util::StatusOr<Record> ConvertByIndex(size_t index, const boost::json::value& value) {
  if constexpr (I < std::variant_size_v<Record>) {
    if (index == I) return Convert<std::variant_alternative_t<I, Record>>(value);
    return ConvertByIndex<I + 1>(index, value);
  } else {
    return util::InternalError("record index out of range");
  }
}

template <size_t I = 0>
std::optional<size_t> IndexOfTable(std::string_view table) {
  if constexpr (I < std::variant_size_v<Record>) {
    if (TableOf(Record(std::in_place_index<I>)) == table) return I;
    return IndexOfTable<I + 1>(table);
  } else {
    return std::nullopt;
  }
}

}  // namespace

std::string CanonicalJson(const boost::json::value& value) {
  std::string out;
  WriteCanonical(value, out);
  return out;
}

boost::json::value RecordToJsonValue(const Record& record) {
  return std::visit([](const auto& r) { return boost::json::value_from(r); }, record);
}

std::string ToJson(const Record& record) { return CanonicalJson(RecordToJsonValue(record)); }

util::StatusOr<Record> RecordFromJsonValue(std::string_view table, const boost::json::value& v) {
  std::optional<size_t> index = IndexOfTable(table);
  if (!index)
    return util::InvalidArgumentError("unknown billing table '" + std::string(table) + "'");
  return ConvertByIndex(*index, v);
}

util::StatusOr<Record> RecordFromJson(std::string_view table, std::string_view json) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(json, error);
  if (error) return util::InvalidArgumentError("record: invalid JSON: " + error.message());
  return RecordFromJsonValue(table, value);
}

std::string ToJson(const State& state) {
  boost::json::object root;
  auto add_table = [&root](const auto& table, const Record& prototype) {
    boost::json::object rows;
    for (const auto& [key, record] : table) rows[key] = boost::json::value_from(record);
    root[TableOf(prototype)] = std::move(rows);
  };
  add_table(state.table<Customer>(), Customer{});
  add_table(state.table<Subscription>(), Subscription{});
  add_table(state.table<Invoice>(), Invoice{});
  add_table(state.table<PaymentIntent>(), PaymentIntent{});
  add_table(state.table<Charge>(), Charge{});
  add_table(state.table<Refund>(), Refund{});
  add_table(state.table<Dispute>(), Dispute{});
  add_table(state.table<CheckoutSession>(), CheckoutSession{});
  add_table(state.table<Purchase>(), Purchase{});
  add_table(state.table<EntitlementSummary>(), EntitlementSummary{});
  return CanonicalJson(root);
}

util::StatusOr<State> StateFromJson(std::string_view json) {
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(json, error);
  if (error) return util::InvalidArgumentError("state: invalid JSON: " + error.message());
  if (!value.is_object()) return util::InvalidArgumentError("state: not an object");
  State state;
  for (const auto& [table, rows] : value.get_object()) {
    if (!rows.is_object()) return util::InvalidArgumentError("state: table is not an object");
    for (const auto& [key, row] : rows.get_object()) {
      SH_ASSIGN_OR_RETURN(Record record, RecordFromJsonValue(table, row));
      if (KeyOf(record) != key)
        return util::InvalidArgumentError("state: key mismatch " + std::string(key));
      state.Upsert(record);
    }
  }
  return state;
}

}  // namespace stripehook::billing
