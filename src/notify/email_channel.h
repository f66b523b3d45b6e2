#pragma once

// Customer emails (and the operator's copy of dispute notices) rendered from templates and sent
// over SMTP.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "billing/state.h"
#include "notify/channel.h"
#include "notify/email_templates.h"
#include "notify/smtp_sender.h"

namespace stripehook::notify {

struct Recipient {
  std::string email;
  std::string name;
};
// The customer's address for a user, or nullopt when none is known. Called on the deliverer's
// thread; must be thread-safe with respect to whoever updates its source.
using RecipientLookup = std::function<std::optional<Recipient>(const std::string& user_id)>;

// The user's customer address from billing state: the first of the user's customers (sorted by
// id) with an email. Pure; the caller holds whatever lock guards `state`.
std::optional<Recipient> RecipientOf(const billing::State& state, const std::string& user_id);

struct EmailSettings {
  SmtpServer server;
  std::string from;  // required
  std::string from_name;
  std::string product = "our service";  // {{product}}
  std::string support_email;            // {{support_email}}; default: `from`
  std::string operator_email;           // dispute notices are also sent here (its own channel)
};

class EmailChannel final : public Channel {
 public:
  enum class Audience { kCustomer, kOperator };
  // Customer audience: channel "email", every type EmailKindFor names. Operator audience:
  // channel "email:operator", dispute.created only, to settings.operator_email.
  EmailChannel(Audience audience, EmailSettings settings, EmailTemplates templates,
               RecipientLookup lookup);

  const std::string& name() const override { return name_; }
  bool Wants(const store::OutboxEntry& entry) const override;
  // kUnavailable when SMTP fails. A row whose user has no known address is logged and answered
  // OK (retrying cannot find one).
  util::Status Deliver(const Delivery& delivery) override;

  // "<outbox-<id>[.operator]@<domain of from>>": stable across retries.
  std::string MessageId(const store::OutboxEntry& entry) const;

 private:
  Audience audience_;
  EmailSettings settings_;
  EmailTemplates templates_;
  RecipientLookup lookup_;
  std::string name_;
};

}  // namespace stripehook::notify
