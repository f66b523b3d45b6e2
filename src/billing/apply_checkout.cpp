// Checkout sessions and the one-time purchases derived from them.

#include <cmath>

#include "billing/apply_internal.h"
#include "billing/stripe_objects.h"

namespace stripehook::billing::internal {
namespace {

// A purchase exists exactly while the held session is a completed, paid one-time payment, so it
// is a function of the session record and converges with it.
std::optional<Purchase> PurchaseOf(const CheckoutSession& s, const Config& config) {
  if (s.mode != "payment" || s.status != "complete" || s.payment_status != "paid") {
    return std::nullopt;
  }
  Purchase p;
  p.id = s.id;
  p.user_id = s.user_id;
  p.customer = s.customer;
  p.payment_intent = s.payment_intent;
  p.plan = s.plan;
  p.amount = s.amount_total;
  p.currency = s.currency;
  p.platform_fee = static_cast<int64_t>(
      std::llround(static_cast<double>(s.amount_total) * config.platform_fee_rate));
  p.creator_payout = p.amount - p.platform_fee;
  p.created = s.created;
  p.snapshot = s.snapshot;
  return p;
}

}  // namespace

Effects ApplyCheckoutSession(const Event& event, const State& state, const Config& config) {
  Effects effects = ApplySnapshot(event, state, CheckoutSessionFromStripe(event.object));
  if (effects.outcome != Outcome::kApplied) return effects;
  const CheckoutSession& session = std::get<CheckoutSession>(effects.upserts.front());
  const Purchase* held = state.Find<Purchase>(session.id);
  std::optional<Purchase> purchase = PurchaseOf(session, config);
  if (purchase) {
    if (held == nullptr) {
      boost::json::object body{{"purchase", purchase->id},
                               {"amount", purchase->amount},
                               {"currency", purchase->currency},
                               {"platform_fee", purchase->platform_fee},
                               {"creator_payout", purchase->creator_payout},
                               {"plan", purchase->plan},
                               {"event", event.id}};
      effects.notifications.push_back(MakeNotification("purchase.created", std::move(body)));
    }
    effects.upserts.push_back(std::move(*purchase));
  } else if (held != nullptr) {
    effects.erases.push_back(*held);
  }
  return effects;
}

}  // namespace stripehook::billing::internal
