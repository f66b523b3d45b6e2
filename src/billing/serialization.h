#pragma once

// JSON forms of billing records and of a whole State. Field names are the record members of
// model.h; optionals absent are null. Canonical text = object keys sorted at every level, no
// whitespace, so equal values give equal strings (a rebuild can diff row by row).

#include <boost/json.hpp>

#include <string>
#include <string_view>

#include "billing/model.h"
#include "billing/state.h"
#include "util/status.h"

namespace stripehook::billing {

boost::json::value RecordToJsonValue(const Record& record);
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

}  // namespace stripehook::billing
