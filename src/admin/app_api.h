#pragma once

#include <functional>
#include <string>

#include "billing/access.h"
#include "billing/config.h"
#include "billing/state.h"
#include "http/router.h"
#include "util/clock.h"

namespace stripehook::admin {

// Runs a read of the live billing state under the owner's lock (the pipeline's processor).
using StateReader = std::function<void(const std::function<void(const billing::State&)>&)>;

// The application read API (DESIGN.md §4), key `Authorization: Bearer <app key>`:
//   GET /v1/access/{user_id}            the access decision now
//   GET /v1/customers/{id}              the customer record
//   GET /v1/subscriptions/{id}          the subscription record, its plan and items
//   GET /v1/users/{user_id}/purchases   one-time purchases, Stripe list shape
// Every answer comes from memory (no I/O): microseconds. 401 `unauthorized` without the key,
// 404 `not_found` for an unknown id. The reader, config and clock must outlive the routes.
void AddAppApiRoutes(http::Router& router, std::string app_key, StateReader read_state,
                     const billing::Config* config, const util::Clock* clock);

}  // namespace stripehook::admin
