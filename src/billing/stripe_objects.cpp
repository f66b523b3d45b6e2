#include "billing/stripe_objects.h"

#include "billing/json_read.h"

namespace stripehook::billing {
namespace {

SubscriptionItem ItemFromStripe(const boost::json::object& object) {
  SubscriptionItem item;
  item.id = json::String(object, "id");
  item.price = json::Ref(object, "price");
  item.product = json::Ref(object, "price.product");
  item.quantity = json::OptionalInt(object, "quantity").value_or(1);
  // Current API versions carry the billing period on the item only.
  item.current_period_start = json::Int(object, "current_period_start");
  item.current_period_end = json::Int(object, "current_period_end");
  return item;
}

}  // namespace

Customer CustomerFromStripe(const boost::json::object& object) {
  Customer c;
  c.id = json::String(object, "id");
  c.email = json::String(object, "email");
  c.name = json::String(object, "name");
  c.user_id = json::String(object, "metadata.user_id");
  c.created = json::Int(object, "created");
  return c;
}

Subscription SubscriptionFromStripe(const boost::json::object& object) {
  Subscription s;
  s.id = json::String(object, "id");
  s.customer = json::Ref(object, "customer");
  s.user_id = json::String(object, "metadata.user_id");
  s.status = json::String(object, "status");
  if (const boost::json::array* items = json::Array(object, "items.data")) {
    for (const boost::json::value& item : *items) {
      if (item.is_object()) s.items.push_back(ItemFromStripe(item.get_object()));
    }
  }
  s.trial_end = json::OptionalInt(object, "trial_end");
  s.cancel_at_period_end = json::Bool(object, "cancel_at_period_end");
  s.cancel_at = json::OptionalInt(object, "cancel_at");
  s.canceled_at = json::OptionalInt(object, "canceled_at");
  s.ended_at = json::OptionalInt(object, "ended_at");
  s.latest_invoice = json::Ref(object, "latest_invoice");
  s.created = json::Int(object, "created");
  return s;
}

Invoice InvoiceFromStripe(const boost::json::object& object) {
  Invoice i;
  i.id = json::String(object, "id");
  i.customer = json::Ref(object, "customer");
  i.subscription = json::Ref(object, "parent.subscription_details.subscription");
  // Older API versions: top-level subscription.
  if (i.subscription.empty()) i.subscription = json::Ref(object, "subscription");
  i.status = json::String(object, "status");
  i.amount_due = json::Int(object, "amount_due");
  i.amount_paid = json::Int(object, "amount_paid");
  i.amount_remaining = json::Int(object, "amount_remaining");
  i.attempt_count = json::Int(object, "attempt_count");
  i.next_payment_attempt = json::OptionalInt(object, "next_payment_attempt");
  i.hosted_invoice_url = json::String(object, "hosted_invoice_url");
  i.billing_reason = json::String(object, "billing_reason");
  i.paid_at = json::OptionalInt(object, "status_transitions.paid_at");
  i.currency = json::String(object, "currency");
  i.created = json::Int(object, "created");
  return i;
}

PaymentIntent PaymentIntentFromStripe(const boost::json::object& object) {
  PaymentIntent p;
  p.id = json::String(object, "id");
  p.customer = json::Ref(object, "customer");
  p.status = json::String(object, "status");
  p.amount = json::Int(object, "amount");
  p.currency = json::String(object, "currency");
  p.failure_code = json::String(object, "last_payment_error.code");
  p.latest_charge = json::Ref(object, "latest_charge");
  p.created = json::Int(object, "created");
  return p;
}

Charge ChargeFromStripe(const boost::json::object& object) {
  Charge c;
  c.id = json::String(object, "id");
  c.customer = json::Ref(object, "customer");
  c.payment_intent = json::Ref(object, "payment_intent");
  c.status = json::String(object, "status");
  c.amount = json::Int(object, "amount");
  c.amount_refunded = json::Int(object, "amount_refunded");
  c.refunded = json::Bool(object, "refunded");
  c.disputed = json::Bool(object, "disputed");
  c.currency = json::String(object, "currency");
  c.failure_code = json::String(object, "failure_code");
  c.created = json::Int(object, "created");
  return c;
}

Refund RefundFromStripe(const boost::json::object& object) {
  Refund r;
  r.id = json::String(object, "id");
  r.charge = json::Ref(object, "charge");
  r.payment_intent = json::Ref(object, "payment_intent");
  r.status = json::String(object, "status");
  r.amount = json::Int(object, "amount");
  r.reason = json::String(object, "reason");
  r.created = json::Int(object, "created");
  return r;
}

Dispute DisputeFromStripe(const boost::json::object& object) {
  Dispute d;
  d.id = json::String(object, "id");
  d.charge = json::Ref(object, "charge");
  d.payment_intent = json::Ref(object, "payment_intent");
  d.status = json::String(object, "status");
  d.reason = json::String(object, "reason");
  d.amount = json::Int(object, "amount");
  d.created = json::Int(object, "created");
  return d;
}

CheckoutSession CheckoutSessionFromStripe(const boost::json::object& object) {
  CheckoutSession s;
  s.id = json::String(object, "id");
  s.customer = json::Ref(object, "customer");
  s.user_id = json::String(object, "client_reference_id");
  if (s.user_id.empty()) s.user_id = json::String(object, "metadata.user_id");
  s.mode = json::String(object, "mode");
  s.status = json::String(object, "status");
  s.payment_status = json::String(object, "payment_status");
  s.subscription = json::Ref(object, "subscription");
  s.payment_intent = json::Ref(object, "payment_intent");
  s.plan = json::String(object, "metadata.plan");
  s.amount_total = json::Int(object, "amount_total");
  s.currency = json::String(object, "currency");
  s.created = json::Int(object, "created");
  return s;
}

EntitlementSummary EntitlementSummaryFromStripe(const boost::json::object& object) {
  EntitlementSummary e;
  e.customer = json::Ref(object, "customer");
  if (const boost::json::array* data = json::Array(object, "entitlements.data")) {
    for (const boost::json::value& entitlement : *data) {
      if (!entitlement.is_object()) continue;
      std::string key = json::String(entitlement.get_object(), "lookup_key");
      if (!key.empty()) e.lookup_keys.push_back(std::move(key));
    }
  }
  return e;
}

}  // namespace stripehook::billing
