#include "billing/revocation.h"

#include <vector>

namespace stripehook::billing {
namespace {

// A dispute reached both through the charge and its payment intent appears twice; callers only
// ask whether any is open or lost.
std::vector<const Dispute*> DisputesOf(const State& state, const Charge& charge) {
  std::vector<const Dispute*> out;
  auto add = [&](const std::set<std::string>& ids) {
    for (const std::string& id : ids) {
      if (const Dispute* d = state.Find<Dispute>(id)) out.push_back(d);
    }
  };
  add(state.Related(Relation::kChargeDisputes, charge.id));
  if (!charge.payment_intent.empty()) {
    add(state.Related(Relation::kPaymentIntentDisputes, charge.payment_intent));
  }
  return out;
}

bool FullyRefunded(const State& state, const Charge& charge) {
  if (charge.refunded || (charge.amount > 0 && charge.amount_refunded >= charge.amount)) {
    return true;
  }
  // refund.created may arrive without (or before) charge.refunded.
  int64_t refunded = 0;
  for (const std::string& id : state.Related(Relation::kChargeRefunds, charge.id)) {
    const Refund* r = state.Find<Refund>(id);
    if (r != nullptr && (r->status == "succeeded" || r->status == "pending")) refunded += r->amount;
  }
  return charge.amount > 0 && refunded >= charge.amount;
}

struct ChargeView {
  const Charge* charge;
  bool open_dispute = false;
  bool lost_dispute = false;
  bool refunded = false;
};

std::vector<ChargeView> ChargesOf(const State& state, std::span<const std::string_view> customers) {
  std::vector<ChargeView> out;
  for (std::string_view customer : customers) {
    for (const std::string& id : state.Related(Relation::kCustomerCharges, customer)) {
      const Charge* charge = state.Find<Charge>(id);
      if (charge == nullptr) continue;
      ChargeView view{charge};
      for (const Dispute* d : DisputesOf(state, *charge)) {
        view.open_dispute |= DisputeOpen(d->status);
        view.lost_dispute |= d->status == "lost";
      }
      view.refunded = FullyRefunded(state, *charge);
      out.push_back(view);
    }
  }
  return out;
}

// An open dispute reached through a payment intent whose charge we never saw.
bool OpenDisputeViaPaymentIntent(const State& state, std::span<const std::string_view> customers) {
  for (std::string_view customer : customers) {
    for (const std::string& pi : state.Related(Relation::kCustomerPaymentIntents, customer)) {
      for (const std::string& id : state.Related(Relation::kPaymentIntentDisputes, pi)) {
        const Dispute* d = state.Find<Dispute>(id);
        if (d != nullptr && DisputeOpen(d->status)) return true;
      }
    }
  }
  return false;
}

// A successful payment made after `after` (object creation times) that nothing reversed.
bool LaterPayment(const State& state, std::span<const std::string_view> customers,
                  const std::vector<ChargeView>& charges, int64_t after) {
  for (const ChargeView& v : charges) {
    if (v.charge->status == "succeeded" && v.charge->created > after && !v.refunded &&
        !v.open_dispute && !v.lost_dispute) {
      return true;
    }
  }
  for (std::string_view customer : customers) {
    for (const std::string& id : state.Related(Relation::kCustomerInvoices, customer)) {
      const Invoice* inv = state.Find<Invoice>(id);
      if (inv != nullptr && inv->status == "paid" && inv->amount_paid > 0 && inv->paid_at &&
          *inv->paid_at > after) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

bool DisputeOpen(std::string_view status) {
  return status == "needs_response" || status == "under_review" ||
         status == "warning_needs_response" || status == "warning_under_review";
}

std::optional<std::string> Revocation(const State& state,
                                      std::span<const std::string_view> customers,
                                      const Config& config) {
  const std::vector<ChargeView> charges = ChargesOf(state, customers);
  const AccessPolicy& policy = config.access;
  if (policy.revoke_on_dispute) {
    for (const ChargeView& v : charges) {
      if (v.open_dispute) return "revoked: open dispute";
    }
    if (OpenDisputeViaPaymentIntent(state, customers)) return "revoked: open dispute";
  }
  for (const ChargeView& v : charges) {
    bool lost = policy.revoke_on_dispute && v.lost_dispute;
    bool refunded = policy.revoke_on_full_refund && v.refunded;
    if ((lost || refunded) && !LaterPayment(state, customers, charges, v.charge->created)) {
      return lost ? "revoked: dispute lost" : "revoked: full refund";
    }
  }
  return std::nullopt;
}

}  // namespace stripehook::billing
