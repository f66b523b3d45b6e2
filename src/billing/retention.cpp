#include "billing/retention.h"

#include <tuple>

namespace stripehook::billing {
namespace {

template <typename T>
void AddSnapshots(const State& state, std::set<std::string>& ids) {
  for (const auto& [key, record] : state.table<T>()) {
    if (!record.snapshot.event_id.empty()) ids.insert(record.snapshot.event_id);
    if constexpr (std::is_same_v<T, Subscription>) {
      for (const StatusObservation& seen : record.status_history) ids.insert(seen.key.event_id);
    }
  }
}

template <typename... T>
void AddAll(const State& state, std::set<std::string>& ids, std::variant<T...>*) {
  (AddSnapshots<T>(state, ids), ...);
}

}  // namespace

std::set<std::string> EventsStateRestsOn(const State& state) {
  std::set<std::string> ids;
  AddAll(state, ids, static_cast<Record*>(nullptr));
  ids.erase("");
  return ids;
}

}  // namespace stripehook::billing
