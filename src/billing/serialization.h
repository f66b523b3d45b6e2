#pragma once

// JSON forms of billing records and of a whole State. Field names are the record members of
// model.h; optionals absent are null. Canonical text = object keys sorted at every level, no
// whitespace, so equal values give equal strings (a rebuild can diff row by row).

#include <boost/json.hpp>

#include <string>
#include <string_view>

#include <boost/json/monotonic_resource.hpp>

#include "billing/model.h"
#include "billing/state.h"
#include "util/status.h"

namespace stripehook::billing {

// The record as a JSON DOM, its nodes allocated from `storage` (default: the heap).
boost::json::value RecordToJsonValue(const Record& record, boost::json::storage_ptr storage = {});
// Canonical text of one record (a store row's payload).
std::string ToJson(const Record& record);
// The record of `table` (TableOf names) from its JSON. kInvalidArgument for an unknown table,
// invalid JSON or a missing/mistyped field.
util::StatusOr<Record> RecordFromJson(std::string_view table, std::string_view json);
util::StatusOr<Record> RecordFromJsonValue(std::string_view table, const boost::json::value& v);

// Canonical text of the whole state: {"<table>":{"<key>":<record>,...},...}, every table present.
std::string ToJson(const State& state);
util::StatusOr<State> StateFromJson(std::string_view json);

// Canonical (sorted keys, compact) text of any JSON value.
std::string CanonicalJson(const boost::json::value& value);

// A stack arena for a DOM that lives only while its canonical text is written: the pipeline
// writes a record row and an audit row per change, and their DOMs' node-by-node mallocs and
// frees were a large part of the cost. Larger DOMs spill to the heap.
class ScratchJsonArena {
 public:
  ScratchJsonArena() : resource_(buffer_, sizeof buffer_) {}
  ScratchJsonArena(const ScratchJsonArena&) = delete;
  ScratchJsonArena& operator=(const ScratchJsonArena&) = delete;
  boost::json::storage_ptr storage() { return &resource_; }

 private:
  unsigned char buffer_[8192];
  boost::json::monotonic_resource resource_;
};

}  // namespace stripehook::billing
