#include "billing/apply.h"

#include <set>

#include "billing/access.h"
#include "billing/apply_internal.h"
#include "billing/serialization.h"

namespace stripehook::billing {
namespace {

using internal::Effects;

ApplyResult ErrorResult(std::string message) {
  ApplyResult result;
  result.outcome = Outcome::kError;
  result.error = std::move(message);
  return result;
}

std::optional<Record> HeldVersion(const State& state, const Record& record) {
  return std::visit(
      [&state, &record](const auto& r) -> std::optional<Record> {
        using T = std::decay_t<decltype(r)>;
        const T* held = state.Find<T>(KeyOf(record));
        return held ? std::optional<Record>(*held) : std::nullopt;
      },
      record);
}

std::vector<Change> BuildChanges(const Effects& effects, const State& state, const Config& config) {
  std::vector<Change> changes;
  for (const Record& record : effects.upserts) {
    Change change{std::string(TableOf(record)), KeyOf(record), HeldVersion(state, record), record,
                  std::nullopt};
    if (change.before && *change.before == record) continue;
    if (const auto* sub = std::get_if<Subscription>(&record)) {
      const Subscription* before =
          change.before ? &std::get<Subscription>(*change.before) : nullptr;
      change.plan_change = internal::DetectPlanChange(before, *sub, config);
    }
    changes.push_back(std::move(change));
  }
  for (const Record& record : effects.erases) {
    std::optional<Record> held = HeldVersion(state, record);
    if (held) {
      changes.push_back(
          Change{std::string(TableOf(record)), KeyOf(record), held, std::nullopt, std::nullopt});
    }
  }
  return changes;
}

boost::json::object PlanChangeJson(const PlanChange& p) {
  boost::json::object out;
  out["old_plan"] = p.old_plan ? boost::json::value(*p.old_plan) : nullptr;
  out["new_plan"] = p.new_plan ? boost::json::value(*p.new_plan) : nullptr;
  out["old_limits"] = boost::json::value_from(p.old_limits);
  out["new_limits"] = boost::json::value_from(p.new_limits);
  out["downgrade"] = p.downgrade;
  return out;
}

// Users and customers whose access the changes may move (before and after versions).
void AffectedParties(const std::vector<Change>& changes, const State& state,
                     std::set<std::string>& users, std::set<std::string>& customers) {
  for (const Change& change : changes) {
    for (const std::optional<Record>& version : {change.before, change.after}) {
      if (!version) continue;
      std::string user = internal::UserOfRecord(*version, state);
      std::string customer = internal::CustomerOfRecord(*version, state);
      if (!user.empty()) users.insert(user);
      if (!customer.empty()) customers.insert(customer);
    }
  }
  // A record may name a customer whose user only the state knows.
  for (const std::string& customer : customers) {
    std::string user = state.UserOfCustomer(customer);
    if (!user.empty()) users.insert(user);
  }
}

void AddAccessNotifications(const Event& event, const State& state, const Config& config,
                            ApplyResult& result) {
  std::set<std::string> users, customers;
  AffectedParties(result.changes, state, users, customers);
  for (const std::string& user : users) {
    State slice = internal::ExtractForUser(state, user, customers);
    AccessDecision before = Access(user, slice, event.created, config);
    Commit(slice, result);
    AccessDecision after = Access(user, slice, event.created, config);
    for (Notification& n : result.notifications) {
      if (n.user_id == user && n.type == "payment.failed") {
        n.body["grace_until"] =
            after.grace_until ? boost::json::value(*after.grace_until) : nullptr;
      }
    }
    // Compare what the application sees: a move to another subscription on the same terms
    // (same plan, status, features, limits) is not an access change.
    boost::json::object before_json = ToJson(before);
    boost::json::object after_json = ToJson(after);
    if (before_json == after_json) continue;
    boost::json::object body{
        {"before", std::move(before_json)}, {"after", std::move(after_json)}, {"event", event.id}};
    result.notifications.push_back({"access.changed", user, std::move(body)});
  }
}

void AddEventNotifications(const Effects& effects, const State& state, ApplyResult& result) {
  std::string user;
  for (const Change& change : result.changes) {
    if (change.after) user = internal::UserOfRecord(*change.after, state);
    if (!user.empty()) break;
  }
  if (user.empty()) return;
  for (const Notification& n : effects.notifications) {
    result.notifications.push_back({n.type, user, n.body});
  }
  for (const Change& change : result.changes) {
    if (!change.plan_change) continue;
    boost::json::object body = PlanChangeJson(*change.plan_change);
    body["subscription"] = change.key;
    result.notifications.push_back({"plan.changed", user, std::move(body)});
  }
}

}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kApplied:
      return "applied";
    case Outcome::kStale:
      return "stale";
    case Outcome::kIgnored:
      return "ignored";
    case Outcome::kError:
      return "error";
  }
  return "error";
}

ApplyResult Apply(const Event& event, const State& state, const Config& config) {
  std::string_view object_type;
  internal::Handler handler = internal::HandlerFor(event.type, &object_type);
  if (handler == nullptr) return ApplyResult{};  // kIgnored
  if (!object_type.empty()) {
    if (event.object_type != object_type) {
      return ErrorResult(event.type + ": data.object is a '" + event.object_type + "', expected '" +
                         std::string(object_type) + "'");
    }
    if (event.object_id.empty() && object_type != "entitlements.active_entitlement_summary") {
      return ErrorResult(event.type + ": data.object has no id");
    }
  }
  Effects effects = handler(event, state, config);
  if (effects.outcome == Outcome::kError) return ErrorResult(effects.error);
  ApplyResult result;
  result.outcome = effects.outcome;
  result.changes = BuildChanges(effects, state, config);
  if (result.changes.empty()) return result;
  if (result.outcome == Outcome::kApplied) AddEventNotifications(effects, state, result);
  AddAccessNotifications(event, state, config, result);
  return result;
}

void Commit(State& state, const ApplyResult& result) {
  for (const Change& change : result.changes) {
    if (change.after) {
      state.Upsert(*change.after);
    } else if (change.before) {
      state.Erase(*change.before);
    }
  }
}

namespace {

// Every member of an audit row but "after": the one place that says what the row holds.
boost::json::object ChangeJsonWithoutAfter(const Change& change,
                                           boost::json::storage_ptr storage = {}) {
  boost::json::object out(storage);
  out["table"] = change.table;
  out["key"] = change.key;
  out["before"] = change.before ? RecordToJsonValue(*change.before, storage) : nullptr;
  if (change.plan_change) out["plan_change"] = PlanChangeJson(*change.plan_change);
  return out;
}

}  // namespace

boost::json::object ToJson(const Change& change) {
  boost::json::object out = ChangeJsonWithoutAfter(change);
  out["after"] = change.after ? RecordToJsonValue(*change.after) : nullptr;
  return out;
}

std::string CanonicalChangeJson(const Change& change, const std::optional<std::string>& after_doc) {
  // "after" sorts before every other member, so it opens the canonical text; the rest follows
  // the rest's own opening brace.
  std::string rest;
  {
    ScratchJsonArena arena;
    rest = CanonicalJson(ChangeJsonWithoutAfter(change, arena.storage()));
  }
  std::string out = "{\"after\":";
  if (after_doc) {
    out += *after_doc;
  } else {
    out += change.after ? ToJson(*change.after) : "null";
  }
  out += ',';
  out.append(rest, 1);
  return out;
}

}  // namespace stripehook::billing
