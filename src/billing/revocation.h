#pragma once

// Payment reversals that revoke access (DESIGN.md §2): an open dispute, a lost dispute or a full
// refund of one of the user's payments. Internal to billing; used by access.cpp.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "billing/config.h"
#include "billing/state.h"

namespace stripehook::billing {

// The revocation reason for a user with these customers, or nullopt. An open dispute revokes
// until it closes; a full refund or a lost dispute revokes until a later successful payment
// (a charge or a paid invoice created after the reversed charge).
// `customers`: the user's customer ids in order (State::CustomerIdsOfUser); the first revoking
// charge in that order names the reason.
std::optional<std::string> Revocation(const State& state,
                                      std::span<const std::string_view> customers,
                                      const Config& config);

// True when a dispute status means the dispute is still open.
bool DisputeOpen(std::string_view status);

}  // namespace stripehook::billing
