#include "notify/email_channel.h"

#include "util/log.h"

namespace stripehook::notify {

std::optional<Recipient> RecipientOf(const billing::State& state, const std::string& user_id) {
  for (const std::string& id : state.CustomersOfUser(user_id)) {
    const billing::Customer* customer = state.Find<billing::Customer>(id);
    if (customer != nullptr && !customer->email.empty()) {
      return Recipient{customer->email, customer->name};
    }
  }
  return std::nullopt;
}

EmailChannel::EmailChannel(Audience audience, EmailSettings settings, EmailTemplates templates,
                           RecipientLookup lookup)
    : audience_(audience),
      settings_(std::move(settings)),
      templates_(std::move(templates)),
      lookup_(std::move(lookup)),
      name_(audience == Audience::kCustomer ? "email" : "email:operator") {
  if (settings_.support_email.empty()) settings_.support_email = settings_.from;
}

bool EmailChannel::Wants(const store::OutboxEntry& entry) const {
  if (audience_ == Audience::kOperator) return entry.type == "dispute.created";
  return !entry.user_id.empty() && EmailKindFor(entry.type).has_value();
}

std::string EmailChannel::MessageId(const store::OutboxEntry& entry) const {
  size_t at = settings_.from.find('@');
  std::string domain = at == std::string::npos ? "stripehook.local" : settings_.from.substr(at + 1);
  std::string suffix = audience_ == Audience::kOperator ? ".operator" : "";
  return "<outbox-" + std::to_string(entry.id) + suffix + "@" + domain + ">";
}

util::Status EmailChannel::Deliver(const Delivery& delivery) {
  const store::OutboxEntry& entry = delivery.entry;
  std::optional<Recipient> customer = lookup_ ? lookup_(entry.user_id) : std::nullopt;
  std::string to = audience_ == Audience::kOperator ? settings_.operator_email
                   : customer                       ? customer->email
                                                    : "";
  if (to.empty()) {
    util::LogWarn("no email address; email skipped")
        .Int("outbox_id", entry.id)
        .Str("type", entry.type)
        .Str("user_id", entry.user_id);
    return util::OkStatus();
  }
  std::map<std::string, std::string> vars = TemplateVars(delivery.body);
  vars["user_id"] = entry.user_id;
  vars["outbox_id"] = std::to_string(entry.id);
  vars["email"] = customer ? customer->email : "";
  vars["name"] = customer && !customer->name.empty() ? customer->name : "there";
  vars["product"] = settings_.product;
  vars["support_email"] = settings_.support_email;
  std::string_view kind = EmailKindFor(entry.type).value_or("dispute");
  SH_ASSIGN_OR_RETURN(RenderedEmail rendered, templates_.Render(kind, vars));
  MailMessage message;
  message.from = settings_.from;
  message.from_name = settings_.from_name;
  message.to = to;
  message.subject =
      audience_ == Audience::kOperator ? "[operator] " + rendered.subject : rendered.subject;
  message.text = std::move(rendered.text);
  message.html = std::move(rendered.html);
  message.message_id = MessageId(entry);
  message.date_unix = delivery.now_us / 1'000'000;
  return SendMail(settings_.server, message);
}

}  // namespace stripehook::notify
