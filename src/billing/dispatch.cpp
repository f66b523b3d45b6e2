// Which handler each Stripe event type goes to (ISSUE item 2). Any other type is ignored.

#include <algorithm>
#include <utility>

#include "billing/apply_internal.h"

namespace stripehook::billing::internal {
namespace {

struct Route {
  std::string_view type;
  Handler handler;
  std::string_view object_type;  // data.object.object the handler needs; "" = any
};

constexpr Route kRoutes[] = {
    {"charge.captured", ApplyCharge, "charge"},
    {"charge.dispute.closed", ApplyDispute, "dispute"},
    {"charge.dispute.created", ApplyDispute, "dispute"},
    {"charge.dispute.funds_reinstated", ApplyDispute, "dispute"},
    {"charge.dispute.funds_withdrawn", ApplyDispute, "dispute"},
    {"charge.dispute.updated", ApplyDispute, "dispute"},
    {"charge.expired", ApplyCharge, "charge"},
    {"charge.failed", ApplyCharge, "charge"},
    {"charge.pending", ApplyCharge, "charge"},
    {"charge.refund.updated", ApplyRefund, "refund"},
    {"charge.refunded", ApplyCharge, "charge"},
    {"charge.succeeded", ApplyCharge, "charge"},
    {"charge.updated", ApplyCharge, "charge"},
    {"checkout.session.async_payment_failed", ApplyCheckoutSession, "checkout.session"},
    {"checkout.session.async_payment_succeeded", ApplyCheckoutSession, "checkout.session"},
    {"checkout.session.completed", ApplyCheckoutSession, "checkout.session"},
    {"checkout.session.expired", ApplyCheckoutSession, "checkout.session"},
    {"customer.created", ApplyCustomer, "customer"},
    {"customer.deleted", ApplyCustomer, "customer"},
    {"customer.source.expiring", ApplyNoState, ""},
    {"customer.source.updated", ApplyNoState, ""},
    {"customer.subscription.created", ApplySubscription, "subscription"},
    {"customer.subscription.deleted", ApplySubscription, "subscription"},
    {"customer.subscription.paused", ApplySubscription, "subscription"},
    {"customer.subscription.pending_update_applied", ApplySubscription, "subscription"},
    {"customer.subscription.pending_update_expired", ApplySubscription, "subscription"},
    {"customer.subscription.resumed", ApplySubscription, "subscription"},
    {"customer.subscription.trial_will_end", ApplySubscription, "subscription"},
    {"customer.subscription.updated", ApplySubscription, "subscription"},
    {"customer.updated", ApplyCustomer, "customer"},
    {"entitlements.active_entitlement_summary.updated", ApplyEntitlements,
     "entitlements.active_entitlement_summary"},
    {"invoice.created", ApplyInvoice, "invoice"},
    {"invoice.finalization_failed", ApplyInvoice, "invoice"},
    {"invoice.finalized", ApplyInvoice, "invoice"},
    {"invoice.marked_uncollectible", ApplyInvoice, "invoice"},
    {"invoice.overdue", ApplyInvoice, "invoice"},
    {"invoice.paid", ApplyInvoice, "invoice"},
    {"invoice.payment_action_required", ApplyInvoice, "invoice"},
    {"invoice.payment_failed", ApplyInvoice, "invoice"},
    {"invoice.payment_succeeded", ApplyInvoice, "invoice"},
    {"invoice.upcoming", ApplyNoState, ""},  // a preview with no id: nothing to hold
    {"invoice.updated", ApplyInvoice, "invoice"},
    {"invoice.voided", ApplyInvoice, "invoice"},
    {"payment_intent.amount_capturable_updated", ApplyPaymentIntent, "payment_intent"},
    {"payment_intent.canceled", ApplyPaymentIntent, "payment_intent"},
    {"payment_intent.created", ApplyPaymentIntent, "payment_intent"},
    {"payment_intent.partially_funded", ApplyPaymentIntent, "payment_intent"},
    {"payment_intent.payment_failed", ApplyPaymentIntent, "payment_intent"},
    {"payment_intent.processing", ApplyPaymentIntent, "payment_intent"},
    {"payment_intent.requires_action", ApplyPaymentIntent, "payment_intent"},
    {"payment_intent.succeeded", ApplyPaymentIntent, "payment_intent"},
    {"payment_method.attached", ApplyNoState, ""},
    {"payment_method.automatically_updated", ApplyNoState, ""},
    {"payment_method.detached", ApplyNoState, ""},
    {"payment_method.updated", ApplyNoState, ""},
    {"refund.created", ApplyRefund, "refund"},
    {"refund.failed", ApplyRefund, "refund"},
    {"refund.updated", ApplyRefund, "refund"},
    {"setup_intent.canceled", ApplyNoState, ""},
    {"setup_intent.created", ApplyNoState, ""},
    {"setup_intent.requires_action", ApplyNoState, ""},
    {"setup_intent.setup_failed", ApplyNoState, ""},
    {"setup_intent.succeeded", ApplyNoState, ""},
};

}  // namespace

Handler HandlerFor(std::string_view type, std::string_view* object_type) {
  for (const Route& route : kRoutes) {
    if (route.type == type) {
      *object_type = route.object_type;
      return route.handler;
    }
  }
  return nullptr;
}

}  // namespace stripehook::billing::internal

namespace stripehook::billing {

const std::vector<std::string>& HandledEventTypes() {
  static const std::vector<std::string> kTypes = [] {
    std::vector<std::string> types;
    for (const auto& route : internal::kRoutes) types.emplace_back(route.type);
    std::sort(types.begin(), types.end());
    return types;
  }();
  return kTypes;
}

}  // namespace stripehook::billing
