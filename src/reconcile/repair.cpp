#include "reconcile/repair.h"

#include <boost/json.hpp>

namespace stripehook::reconcile {

std::string RepairEventId(std::string_view object_id, int64_t listed_at) {
  return "evt_reconcile_" + std::to_string(listed_at) + "_" + std::string(object_id);
}

util::StatusOr<store::NewEvent> RepairEvent(const Finding& finding, int64_t listed_at) {
  if (!finding.snapshot) {
    return util::InvalidArgumentError("repair of " + finding.id + ": no Stripe snapshot (" +
                                      std::string(FindingKindName(finding.kind)) + ")");
  }
  store::NewEvent event;
  if (finding.table == "subscriptions") {
    event.type = "customer.subscription.updated";
    event.object_type = "subscription";
  } else if (finding.table == "customers") {
    event.type = "customer.updated";
    event.object_type = "customer";
  } else {
    return util::InvalidArgumentError("repair of " + finding.id + ": table " + finding.table +
                                      " is not reconciled");
  }
  event.id = RepairEventId(finding.id, listed_at);
  event.created = listed_at;
  event.object_id = finding.id;
  const boost::json::value* livemode = finding.snapshot->if_contains("livemode");
  event.livemode = livemode != nullptr && livemode->is_bool() && livemode->get_bool();
  event.source = std::string(kRepairSource);
  boost::json::object envelope{
      {"id", event.id},
      {"object", "event"},
      {"type", event.type},
      {"created", listed_at},
      {"livemode", event.livemode},
      {"data", {{"object", *finding.snapshot}}},
      {"request", {{"id", nullptr}, {"idempotency_key", nullptr}}},
      {"stripehook_repair",
       {{"source", kRepairSource}, {"reason", FindingKindName(finding.kind)}}}};
  event.payload = boost::json::serialize(envelope);
  return event;
}

}  // namespace stripehook::reconcile
