// Invoices, payment intents, charges, refunds and disputes: last snapshot wins; notifications
// fire on the transitions the application cares about.

#include "billing/apply_internal.h"
#include "billing/revocation.h"
#include "billing/stripe_objects.h"

namespace stripehook::billing::internal {
namespace {

boost::json::value OptionalInt(const std::optional<int64_t>& v) {
  return v ? boost::json::value(*v) : boost::json::value(nullptr);
}

void InvoiceNotifications(const Event& event, const Invoice* held, const Invoice& inv,
                          Effects& effects) {
  boost::json::object body{{"invoice", inv.id},
                           {"subscription", inv.subscription},
                           {"customer", inv.customer},
                           {"amount_due", inv.amount_due},
                           {"amount_paid", inv.amount_paid},
                           {"currency", inv.currency},
                           {"attempt_count", inv.attempt_count},
                           {"event", event.id}};
  if (inv.status == "paid" && (held == nullptr || held->status != "paid")) {
    effects.notifications.push_back(MakeNotification("payment.succeeded", body));
  }
  if (event.type == "invoice.payment_failed") {
    body["next_payment_attempt"] = OptionalInt(inv.next_payment_attempt);
    body["hosted_invoice_url"] = inv.hosted_invoice_url;
    // grace_until is added by Apply from the access decision after the event.
    effects.notifications.push_back(MakeNotification("payment.failed", body));
  }
  if (event.type == "invoice.payment_action_required") {
    body["hosted_invoice_url"] = inv.hosted_invoice_url;
    effects.notifications.push_back(MakeNotification("payment.action_required", body));
  }
}

}  // namespace

Effects ApplyInvoice(const Event& event, const State& state, const Config&) {
  Invoice invoice = InvoiceFromStripe(event.object);
  const Invoice* held = state.Find<Invoice>(invoice.id);
  std::optional<Invoice> before = held ? std::optional<Invoice>(*held) : std::nullopt;
  Effects effects = ApplySnapshot(event, state, std::move(invoice));
  if (effects.outcome == Outcome::kApplied) {
    InvoiceNotifications(event, before ? &*before : nullptr,
                         std::get<Invoice>(effects.upserts.front()), effects);
  }
  return effects;
}

Effects ApplyPaymentIntent(const Event& event, const State& state, const Config&) {
  return ApplySnapshot(event, state, PaymentIntentFromStripe(event.object));
}

Effects ApplyCharge(const Event& event, const State& state, const Config&) {
  return ApplySnapshot(event, state, ChargeFromStripe(event.object));
}

Effects ApplyRefund(const Event& event, const State& state, const Config&) {
  Refund refund = RefundFromStripe(event.object);
  const bool is_new = state.Find<Refund>(refund.id) == nullptr;
  Effects effects = ApplySnapshot(event, state, std::move(refund));
  if (effects.outcome == Outcome::kApplied && is_new) {
    const Refund& r = std::get<Refund>(effects.upserts.front());
    const Charge* charge = state.Find<Charge>(r.charge);
    boost::json::object body{{"refund", r.id},
                             {"charge", r.charge},
                             {"amount", r.amount},
                             {"status", r.status},
                             {"event", event.id}};
    body["full"] = charge != nullptr && charge->amount > 0 && r.amount >= charge->amount;
    effects.notifications.push_back(MakeNotification("refund.created", std::move(body)));
  }
  return effects;
}

Effects ApplyDispute(const Event& event, const State& state, const Config&) {
  Dispute dispute = DisputeFromStripe(event.object);
  const Dispute* held = state.Find<Dispute>(dispute.id);
  const bool was_open = held != nullptr && DisputeOpen(held->status);
  const bool is_new = held == nullptr;
  Effects effects = ApplySnapshot(event, state, std::move(dispute));
  if (effects.outcome != Outcome::kApplied) return effects;
  const Dispute& d = std::get<Dispute>(effects.upserts.front());
  boost::json::object body{{"dispute", d.id},    {"charge", d.charge}, {"amount", d.amount},
                           {"status", d.status}, {"reason", d.reason}, {"event", event.id}};
  if (is_new) effects.notifications.push_back(MakeNotification("dispute.created", body));
  if ((was_open || is_new) && !DisputeOpen(d.status)) {
    effects.notifications.push_back(MakeNotification("dispute.closed", body));
  }
  return effects;
}

}  // namespace stripehook::billing::internal
