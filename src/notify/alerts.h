#pragma once

// Operator alerts: dead events, dead deliveries, health drops, reconciliation findings. Anyone
// enqueues one with EnqueueAlert; it is stored as an outbox row (type "operator.alert", user
// "") and delivered like any notification, with retries, to the Slack-compatible URL of the
// alerts channel (and nowhere else).

#include <memory>
#include <string>
#include <string_view>

#include "notify/channel.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::notify {

// Durably enqueues an alert ({"kind","text"} body). `kind` is short and stable
// ("event.dead", "outbox.dead", "health.degraded", "reconcile.finding"); `text` is for humans and
// must hold no secret. Blocks until committed; errors: the store's CommitProcessing.
util::Status EnqueueAlert(store::Store& store, const util::Clock& clock, std::string_view kind,
                          std::string_view text);

// Posts operator.alert rows as {"text":"[stripehook] <kind>: <text>"} (what Slack incoming
// webhooks and compatible services accept).
class AlertChannel final : public Channel {
 public:
  explicit AlertChannel(std::string url, int64_t timeout_ms = 10'000)
      : url_(std::move(url)), timeout_ms_(timeout_ms) {}
  const std::string& name() const override { return name_; }
  bool Wants(const store::OutboxEntry& entry) const override;
  util::Status Deliver(const Delivery& delivery) override;

 private:
  std::string url_;
  int64_t timeout_ms_;
  std::string name_ = "alerts";
};

}  // namespace stripehook::notify
