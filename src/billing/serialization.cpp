#include "billing/serialization.h"

#include <algorithm>
#include <array>
#include <span>
#include <vector>

namespace stripehook::billing {
namespace {

// Canonical JSON: objects with their keys sorted, everything else exactly as Boost.JSON writes it
// (one serializer, reset per scalar and key, so the bytes equal boost::json::serialize's without a
// string allocated per scalar: this runs for every record and audit row the pipeline writes).
class CanonicalWriter {
 public:
  explicit CanonicalWriter(std::string& out) : out_(out) {}

  void Write(const boost::json::value& value) {
    if (const boost::json::object* object = value.if_object()) return WriteObject(*object);
    if (const boost::json::array* array = value.if_array()) return WriteArray(*array);
    serializer_.reset(&value);
    Drain();
  }

 private:
  void WriteArray(const boost::json::array& array) {
    out_ += '[';
    bool first = true;
    for (const boost::json::value& element : array) {
      if (!first) out_ += ',';
      first = false;
      Write(element);
    }
    out_ += ']';
  }

  void WriteObject(const boost::json::object& object) {
    constexpr size_t kInline = 32;  // records have fewer keys: no allocation to sort them
    std::array<const boost::json::key_value_pair*, kInline> inline_entries;
    std::vector<const boost::json::key_value_pair*> heap_entries;
    std::span<const boost::json::key_value_pair*> entries;
    if (object.size() <= kInline) {
      entries = std::span(inline_entries.data(), object.size());
    } else {
      heap_entries.resize(object.size());
      entries = heap_entries;
    }
    size_t i = 0;
    for (const auto& entry : object) entries[i++] = &entry;
    std::sort(entries.begin(), entries.end(),
              [](const auto* a, const auto* b) { return a->key() < b->key(); });
    out_ += '{';
    for (size_t k = 0; k < entries.size(); ++k) {
      if (k > 0) out_ += ',';
      serializer_.reset(entries[k]->key());
      Drain();
      out_ += ':';
      Write(entries[k]->value());
    }
    out_ += '}';
  }

  void Drain() {
    char buffer[256];
    while (!serializer_.done()) out_ += serializer_.read(buffer, sizeof buffer);
  }

  std::string& out_;
  boost::json::serializer serializer_;
};

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
  CanonicalWriter(out).Write(value);
  return out;
}

boost::json::value RecordToJsonValue(const Record& record, boost::json::storage_ptr storage) {
  return std::visit([&](const auto& r) { return boost::json::value_from(r, storage); }, record);
}

std::string ToJson(const Record& record) {
  ScratchJsonArena arena;
  return CanonicalJson(RecordToJsonValue(record, arena.storage()));
}

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
