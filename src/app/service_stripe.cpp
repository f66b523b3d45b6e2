// The Stripe API side of the service: one client and one request budget for the process, and
// the outbound app commands over them.
#include "admin/app_commands.h"
#include "app/service.h"
#include "util/log.h"

namespace stripehook::app {

util::StatusOr<std::shared_ptr<stripe::StripeClient>> MakeStripeClient(const StripeConfig& c) {
  // Every caller of the process shares this one budget (Stripe counts per account, not per
  // caller): live commands, repairs and backfill.
  SH_ASSIGN_OR_RETURN(
      std::shared_ptr<stripe::RequestBudget> budget,
      stripe::RequestBudget::Create(c.requests_per_second, static_cast<int>(c.request_burst)));
  SH_ASSIGN_OR_RETURN(
      std::unique_ptr<stripe::StripeClient> client,
      stripe::StripeClient::Create(
          stripe::MakeClientOptions(c.secret_key, c.api_base, c.api_version), std::move(budget)));
  return std::shared_ptr<stripe::StripeClient>(std::move(client));
}

util::Status Service::AddStripe() {
  if (config_.stripe.secret_key.empty()) {
    util::LogInfo("stripe API calls disabled: no stripe.secret_key / STRIPE_SECRET_KEY");
  } else {
    SH_ASSIGN_OR_RETURN(stripe_client_, MakeStripeClient(config_.stripe));
  }
  admin::AppCommandsOptions options;
  options.app_key = config_.admin.app_key;
  options.checkout_per_user_per_minute =
      static_cast<int>(config_.stripe.checkout_per_user_per_minute);
  admin::AddAppCommandRoutes(
      router_, std::move(options), stripe_client_,
      [processor = processor_.get()](const auto& read) { processor->WithState(read); }, &billing_,
      clock_);
  return util::OkStatus();
}

}  // namespace stripehook::app
