#pragma once

// The outbox in the admin API and the CLI: list rows, put failed or dead rows back in line.
//   GET  /admin/outbox?status=&user_id=&limit=&starting_after=   Stripe list shape, newest first
//   POST /admin/outbox/{id}/retry                                 the row, now pending
// Registered by app/ behind the admin key (admin::AddAdminRoute); these are the bare handlers.

#include <boost/json.hpp>

#include <functional>

#include "http/message.h"
#include "store/outbox.h"
#include "store/store.h"

namespace stripehook::notify {

// {"object":"outbox_entry","id","event_id","type","user_id","status","attempts",
//  "next_attempt_at","last_error","created","delivered_at","channels_done","body"}; times in
// Unix seconds (null when unset); body as the JSON object it is.
boost::json::object OutboxEntryJson(const store::OutboxEntry& entry);

// Lists from the store's read connections (no write; fast enough for an I/O thread).
http::Handler ListOutboxHandler(store::Store* store);

// Requeues on a thread of its own (the write waits for a commit; I/O threads must not), then
// calls `wake` (may be null) so the deliverer tries at once. 404 unknown id, 409 a row that is
// neither failed nor dead, 400 a malformed id. `store` must outlive in-flight requests.
http::Handler RetryOutboxHandler(store::Store* store, std::function<void()> wake);

// The HTTP status for a store error (400, 404, 409, else 503).
int HttpStatusFor(const util::Status& status);

}  // namespace stripehook::notify
