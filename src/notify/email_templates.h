#pragma once

// Email templates: one per kind of customer email, each a subject, a plain-text body and an HTML
// body with {{name}} placeholders. Built-in defaults are compiled in; an operator overrides any
// part by placing <kind>.subject, <kind>.txt or <kind>.html in the configured directory.

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "util/status.h"

namespace stripehook::notify {

struct EmailTemplate {
  std::string subject;
  std::string text;
  std::string html;
};

struct RenderedEmail {
  std::string subject;
  std::string text;
  std::string html;
};

// The template kind for a notification type ("subscription.created" -> "welcome", ...), or
// nullopt when that type sends no customer email. Kinds: welcome, receipt, payment_failed,
// action_required, refund, dispute, cancellation, trial_ending.
std::optional<std::string_view> EmailKindFor(std::string_view notification_type);

class EmailTemplates {
 public:
  // The built-in templates, each part replaced by <override_dir>/<kind>.{subject,txt,html} when
  // that file exists ("" = no directory). kInvalidArgument when the directory is named but
  // missing, or a file cannot be read.
  static util::StatusOr<EmailTemplates> Load(const std::string& override_dir);

  // Renders `kind` with `vars`: {{key}} takes vars[key] (HTML-escaped in the HTML part); an
  // unknown placeholder renders empty. kNotFound for an unknown kind.
  util::StatusOr<RenderedEmail> Render(std::string_view kind,
                                       const std::map<std::string, std::string>& vars) const;

 private:
  std::map<std::string, EmailTemplate, std::less<>> templates_;
};

// The placeholder values of one notification: every scalar field of its body as text, plus
// <field>_date (UTC) for Unix times (grace_until, trial_end, next_payment_attempt) and
// <field>_formatted ("89.00 USD") for amounts in the smallest currency unit.
std::map<std::string, std::string> TemplateVars(const boost::json::object& body);

// The built-in templates (email_templates_builtin.cpp).
const std::map<std::string, EmailTemplate, std::less<>>& BuiltinEmailTemplates();

}  // namespace stripehook::notify
