#pragma once

#include <string_view>

#include "http/message.h"

namespace stripehook::http {

// True when the request carries `key` as `Authorization: Bearer <key>` or, when
// `accept_x_admin_key`, as `X-Admin-Key: <key>`. The comparison takes the same time whatever
// prefix matches, so response timing reveals nothing of the key. An empty `key` never matches.
bool RequestHasKey(const Request& request, std::string_view key, bool accept_x_admin_key = false);

// Constant-time equality for equal lengths; false at once (no secret-dependent timing on the
// content) when lengths differ.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace stripehook::http
