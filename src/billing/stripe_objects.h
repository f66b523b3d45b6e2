#pragma once

// Conversion of Stripe objects (an event's data.object, API 2026-07-29.dahlia shapes) into
// billing records. Pure; fields Stripe leaves out read as empty. The record's `snapshot` is set
// by the caller (it belongs to the event, not the object).

#include <boost/json.hpp>

#include "billing/model.h"

namespace stripehook::billing {

Customer CustomerFromStripe(const boost::json::object& object);
Subscription SubscriptionFromStripe(const boost::json::object& object);
Invoice InvoiceFromStripe(const boost::json::object& object);
PaymentIntent PaymentIntentFromStripe(const boost::json::object& object);
Charge ChargeFromStripe(const boost::json::object& object);
Refund RefundFromStripe(const boost::json::object& object);
Dispute DisputeFromStripe(const boost::json::object& object);
CheckoutSession CheckoutSessionFromStripe(const boost::json::object& object);
EntitlementSummary EntitlementSummaryFromStripe(const boost::json::object& object);

}  // namespace stripehook::billing
