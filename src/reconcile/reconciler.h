#pragma once

// Reconciliation with I/O: lists Stripe's subscriptions (status=all) and customers through the
// Stripe API client, compares them with the local billing state (compare.h) and queues one repair
// event (repair.h) per missing or mismatched record into the inbox, where the pipeline applies it.
// Also the per-user check and fix behind `stripehook check-user`/`fix-user` and the admin API.

#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "billing/state.h"
#include "reconcile/compare.h"
#include "store/store.h"
#include "stripe/client/stripe_client.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::reconcile {

// Runs `read` with the current local billing state (e.g. Processor::WithState, or a state loaded
// from the store by the CLI). `read` must not keep the reference.
using StateReader = std::function<void(const std::function<void(const billing::State&)>&)>;

struct ReconcileReport {
  int64_t listed_at = 0;
  Comparison comparison;
  int64_t repairs_queued = 0;     // repair events inserted into the inbox
  int64_t repairs_duplicate = 0;  // already in the inbox (the same listing second repaired them)
  std::vector<std::string> repair_event_ids;
};
// ToJson(comparison) plus "listed_at", "repairs_queued", "repairs_duplicate", "repair_events".
boost::json::object ToJson(const ReconcileReport& report);

// Stripe's side of one user: their customers and subscriptions as Stripe has them now, and the
// comparison with the local records of that user.
struct UserReport {
  std::string user_id;
  std::vector<boost::json::object> customers;
  std::vector<boost::json::object> subscriptions;
  ReconcileReport reconcile;
};
// {"user_id","stripe":{"customers":[{id,email,deleted}],"subscriptions":[{id,customer,status,
//  prices,current_period_end,cancel_at_period_end}]},"comparison":{...},"repairs_queued",...}
boost::json::object ToJson(const UserReport& report);

struct ReconcilerOptions {
  // Called after repair events were inserted (the service wakes the pipeline).
  std::function<void()> on_repairs_queued;
};

// Thread-safe as far as its parts are (the client and store are; `read_state` must be): the
// scheduler, the admin API and the CLI may run it concurrently, although a full run of the same
// kind should not overlap itself (the scheduler sees to that). Everything it is given must
// outlive it.
class Reconciler {
 public:
  Reconciler(store::Store* store, stripe::StripeClient* client, StateReader read_state,
             const util::Clock* clock, ReconcilerOptions options = {});

  // Lists everything, compares, and with `repair` queues the repairs. Stripe errors are returned
  // as the client reports them (nothing is queued then); a store error stops the repairs and is
  // returned.
  util::StatusOr<ReconcileReport> Run(bool repair);

  // The same for one user's customers (local ones by metadata.user_id or Checkout
  // client_reference_id) and their subscriptions. kNotFound when no customer of the user is
  // known locally.
  util::StatusOr<UserReport> CheckUser(std::string_view user_id, bool repair);

 private:
  util::StatusOr<StripeListing> ListAll(int64_t listed_at);
  util::StatusOr<StripeListing> ListForCustomers(const std::set<std::string>& customers,
                                                 int64_t listed_at);
  util::Status QueueRepairs(ReconcileReport& report);

  store::Store* store_;
  stripe::StripeClient* client_;
  StateReader read_state_;
  const util::Clock* clock_;
  ReconcilerOptions options_;
};

}  // namespace stripehook::reconcile
