#pragma once

#include <set>
#include <string>

#include "billing/state.h"

namespace stripehook::billing {

// The ids of every event whose snapshot the state rests on: each record's current snapshot and
// each kept subscription status observation (status_since and grace are derived from them).
// Deleting any of these from the inbox would make `stripehook rebuild` disagree with the live
// state, so inbox cleanup must keep them. Pure.
std::set<std::string> EventsStateRestsOn(const State& state);

}  // namespace stripehook::billing
