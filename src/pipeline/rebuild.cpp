#include "pipeline/rebuild.h"

#include <boost/json.hpp>
#include <map>

#include "billing/apply.h"
#include "billing/event.h"
#include "billing/serialization.h"
#include "util/check.h"

namespace stripehook::pipeline {
namespace {

bool FinishedLive(store::EventStatus status) {
  return status == store::EventStatus::kProcessed || status == store::EventStatus::kStale ||
         status == store::EventStatus::kIgnored;
}

// "<table>/<key>" → canonical JSON of the record, for every record of `state`.
std::map<std::string, std::string> Rows(const billing::State& state) {
  std::map<std::string, std::string> rows;
  boost::system::error_code ec;
  boost::json::value whole = boost::json::parse(billing::ToJson(state), ec);
  SH_CHECK(!ec && whole.is_object());  // our own canonical output
  for (const auto& [table, records] : whole.get_object()) {
    if (!records.is_object()) continue;
    for (const auto& [key, record] : records.get_object()) {
      rows[std::string(table) + "/" + std::string(key)] = billing::CanonicalJson(record);
    }
  }
  return rows;
}

}  // namespace

util::StatusOr<billing::State> LoadLiveState(store::Store& store) {
  billing::State state;
  util::Status bad = util::OkStatus();
  SH_RETURN_IF_ERROR(store.ForEachRecord([&](store::RecordRow&& row) {
    if (!bad.ok()) return;
    util::StatusOr<billing::Record> record = billing::RecordFromJson(row.table, row.doc);
    if (!record.ok()) {
      bad = record.status().Annotate(row.table + "/" + row.key);
      return;
    }
    state.Upsert(*record);
  }));
  SH_RETURN_IF_ERROR(bad);
  return state;
}

util::StatusOr<RebuildResult> RebuildState(store::Store& store, const billing::Config& config) {
  RebuildResult result;
  SH_RETURN_IF_ERROR(store.ForEachEventInOrder([&](store::StoredEvent&& stored) {
    if (!FinishedLive(stored.status)) return;
    util::StatusOr<billing::Event> event = billing::ParseEvent(stored.event.payload);
    if (!event.ok()) return;
    billing::ApplyResult applied = billing::Apply(*event, result.state, config);
    billing::Commit(result.state, applied);
    ++result.events_replayed;
  }));
  return result;
}

std::vector<std::string> DiffStates(const billing::State& live, const billing::State& rebuilt) {
  std::vector<std::string> lines;
  if (live == rebuilt) return lines;
  std::map<std::string, std::string> a = Rows(live);
  std::map<std::string, std::string> b = Rows(rebuilt);
  for (const auto& [key, json] : a) {
    auto it = b.find(key);
    if (it == b.end()) {
      lines.push_back(key + ": missing from rebuild (live " + json + ")");
    } else if (it->second != json) {
      lines.push_back(key + ": live " + json + " rebuilt " + it->second);
    }
  }
  for (const auto& [key, json] : b) {
    if (!a.count(key)) lines.push_back(key + ": missing from live (rebuilt " + json + ")");
  }
  return lines;
}

}  // namespace stripehook::pipeline
