#pragma once

// A repair is a synthetic inbox event that carries a snapshot fetched from the Stripe API through
// the same pipeline and pure billing::Apply as a webhook, so a repaired record is
// indistinguishable from one a delivered webhook produced, its audit rows name the repair, and
// `rebuild` replays it like any other event.
//
// Id scheme: "evt_reconcile_<listed_at>_<object id>". Deterministic, so a second repair of the
// same object from the same listing is a duplicate of the first (inbox dedupe), while a later
// listing gets a new id.
//
// Created time: `listed_at`, the second the listing began. The snapshot was read at or after that
// second, so it is at least as new as every event Stripe created before it: it supersedes a held
// snapshot from an earlier second (Compare only asks to repair such records), and any webhook
// created later supersedes it in turn. Inside the same second the ordering rule's status rank
// decides, then the event id; "evt_reconcile_…" sorts after Stripe's "evt_1…"/"evt_3…" ids, so
// the repair, read last, wins a full tie.

#include <cstdint>
#include <string>
#include <string_view>

#include "reconcile/compare.h"
#include "store/event.h"
#include "util/status.h"

namespace stripehook::reconcile {

inline constexpr std::string_view kRepairSource = "reconcile";

std::string RepairEventId(std::string_view object_id, int64_t listed_at);

// The inbox event repairing `finding` (kMissing or kMismatched, which carry Stripe's snapshot):
// type customer.subscription.updated or customer.updated, data.object = the snapshot, source
// "reconcile", and a "stripehook_repair" member saying why. kInvalidArgument for a finding without
// a snapshot (kOrphaned) or of another table.
util::StatusOr<store::NewEvent> RepairEvent(const Finding& finding, int64_t listed_at);

}  // namespace stripehook::reconcile
