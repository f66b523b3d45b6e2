#pragma once

#include <string>
#include <vector>

#include "billing/config.h"
#include "billing/state.h"
#include "store/store.h"
#include "util/status.h"

namespace stripehook::pipeline {

// The billing state as the store's rows hold it (what incremental processing produced).
util::StatusOr<billing::State> LoadLiveState(store::Store& store);

struct RebuildResult {
  billing::State state;
  int64_t events_replayed = 0;
};

// Replays, with the pure core and from an empty state, every inbox event that live processing has
// finished with (processed, stale or ignored), in (created, arrival) order. Failed, dead and
// pending events changed nothing live, so they are left out here too.
util::StatusOr<RebuildResult> RebuildState(store::Store& store, const billing::Config& config);

// One line per record that differs: "subscriptions/sub_1: live <json> rebuilt <json>", or
// "... missing from live" / "... missing from rebuild". Empty when the states are equal.
std::vector<std::string> DiffStates(const billing::State& live, const billing::State& rebuilt);

}  // namespace stripehook::pipeline
