#pragma once

// billing::Apply — the functional core: one event, the current state and the configuration in;
// the changes to make, out. No I/O, no clock (time is the event's `created`), deterministic.
// Commit() writes a result into a State; a store writes the same Changes into its tables, with
// their audit rows and the notifications (outbox) in one transaction.

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/config.h"
#include "billing/event.h"
#include "billing/model.h"
#include "billing/state.h"

namespace stripehook::billing {

enum class Outcome {
  kApplied,  // the event's snapshot is now held (changes may still be empty: nothing new)
  kStale,    // an older (or equal) snapshot than the one held: not applied. Order-independent
             // facts it carries (e.g. an earlier past_due) may still appear in `changes`.
  kIgnored,  // an event type billing does not handle (stored, never an error)
  kError,    // a handled type whose payload cannot be used; `error` says why; no changes
};
std::string_view OutcomeName(Outcome outcome);  // "applied", "stale", "ignored", "error"

// A subscription whose plan changed; `downgrade` when some old limit is missing from the new
// plan or lower in it.
struct PlanChange {
  std::optional<std::string> old_plan;
  std::optional<std::string> new_plan;
  std::map<std::string, int64_t> old_limits;
  std::map<std::string, int64_t> new_limits;
  bool downgrade = false;
  friend bool operator==(const PlanChange&, const PlanChange&) = default;
};

// One row to write: `after` absent means delete; `before` absent means insert.
struct Change {
  std::string table;  // TableOf(record)
  std::string key;    // KeyOf(record)
  std::optional<Record> before;
  std::optional<Record> after;
  std::optional<PlanChange> plan_change;  // subscriptions only
};
// {"table","key","before","after"[,"plan_change"]} for the audit log (records as in
// serialization.h, absent ones null).
boost::json::object ToJson(const Change& change);
// CanonicalJson(ToJson(change)), byte for byte, built around `after_doc` when the caller already
// has ToJson(*change.after) (the pipeline writes it as the record's row): the record is then
// neither converted nor canonicalized a second time.
std::string CanonicalChangeJson(const Change& change, const std::optional<std::string>& after_doc);

// A domain event for the outbox. Types: access.changed, subscription.created,
// subscription.updated, subscription.canceled, plan.changed, payment.succeeded, payment.failed,
// payment.action_required, refund.created, dispute.created, dispute.closed, purchase.created,
// trial.ending. Only emitted for users billing can name.
struct Notification {
  std::string type;
  std::string user_id;
  boost::json::object body;
};

struct ApplyResult {
  Outcome outcome = Outcome::kIgnored;
  std::string error;  // for kError
  std::vector<Change> changes;
  std::vector<Notification> notifications;
};

// Applies `event` to `state` under `config`. Pure and deterministic (reads its arguments only,
// so concurrent calls are safe while nobody writes `state`); the final state after any
// delivery order (with duplicates) of the same events is the same (docs/billing.md).
// access.changed notifications compare Access() before and after at now = event.created.
ApplyResult Apply(const Event& event, const State& state, const Config& config);

// Writes the changes of `result` into `state` (upserts and deletes). Any outcome may be
// committed; kIgnored and kError carry no changes.
void Commit(State& state, const ApplyResult& result);

// Every event type Apply handles (sorted); any other type is kIgnored.
const std::vector<std::string>& HandledEventTypes();

}  // namespace stripehook::billing
