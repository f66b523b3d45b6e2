// Service wiring of outbox delivery (notify/): channels from [notify], the deliverer thread (run
// while this instance leads "outbox"), the admin outbox endpoints, and operator alerts for rows
// that went dead.
#include "admin/admin_auth.h"
#include "app/config_notify.h"
#include "app/service.h"
#include "notify/alerts.h"
#include "notify/outbox_api.h"
#include "notify/settings.h"
#include "util/log.h"

namespace stripehook::app {

util::Status Service::AddNotify() {
  SH_ASSIGN_OR_RETURN(notify::NotifySettings settings, DecodeNotifyConfig(config_));
  if (settings.any()) {
    notify::RecipientLookup lookup = [processor = processor_.get()](const std::string& user) {
      std::optional<notify::Recipient> recipient;
      processor->WithState(
          [&](const billing::State& state) { recipient = notify::RecipientOf(state, user); });
      return recipient;
    };
    SH_ASSIGN_OR_RETURN(auto channels, notify::MakeChannels(settings, lookup));
    // A dead alert row raises no alert of its own: that would loop while the alert URL is down.
    auto alert = [store = store_.get(), clock = clock_](const store::OutboxEntry& dead) {
      if (dead.type == notify::kOperatorAlertType) return util::OkStatus();
      return notify::EnqueueAlert(*store, *clock, "outbox.dead",
                                  "outbox row " + std::to_string(dead.id) + " (" + dead.type +
                                      ", user " + dead.user_id +
                                      ") was not delivered: " + dead.last_error.value_or(""));
    };
    deliverer_ = std::make_unique<notify::OutboxDeliverer>(
        store_.get(), clock_, std::move(channels), settings.delivery, alert);
    // One deliverer in a cluster: two would send a row twice. Run() starts the checks.
    outbox_leadership_ = std::make_unique<Leadership>(
        "outbox", [store = store_.get()] { return store->HoldLeadership("outbox"); },
        [deliverer = deliverer_.get()](bool held) {
          if (held) {
            deliverer->Start();
          } else {
            deliverer->Stop();
          }
        });
  } else {
    util::LogInfo("no [notify] channel configured: outbox rows are kept, not delivered");
  }
  std::function<void()> wake;
  if (deliverer_) wake = [d = deliverer_.get()] { d->Notify(); };
  admin::AddAdminRoute(router_, *admin_auth_, "GET", "/admin/outbox",
                       notify::ListOutboxHandler(store_.get()));
  admin::AddAdminRoute(router_, *admin_auth_, "POST", "/admin/outbox/{id}/retry",
                       notify::RetryOutboxHandler(store_.get(), wake));
  return util::OkStatus();
}

}  // namespace stripehook::app
