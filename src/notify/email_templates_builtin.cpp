// The compiled-in email templates. Placeholders: every scalar field of the notification's body
// (docs/notifications.md lists them per type) plus {{name}}, {{email}}, {{user_id}},
// {{product}}, {{support_email}}, <field>_date and <field>_formatted (email_templates.h).
// Operators override any part with files of the same kind name (docs/operations.md).
#include "notify/email_templates.h"

namespace stripehook::notify {
namespace {

EmailTemplate Make(std::string subject, std::string text, std::string html) {
  return EmailTemplate{std::move(subject), std::move(text), std::move(html)};
}

}  // namespace

const std::map<std::string, EmailTemplate, std::less<>>& BuiltinEmailTemplates() {
  static const auto* kTemplates = new std::map<std::string, EmailTemplate, std::less<>>{
      {"welcome",
       Make("Welcome to {{product}}",
            "Hello {{name}},\n\nThank you for subscribing to {{product}}. Your account is ready "
            "to use.\n\nQuestions? Write to {{support_email}}.\n",
            "<p>Hello {{name}},</p><p>Thank you for subscribing to {{product}}. Your account is "
            "ready to use.</p><p>Questions? Write to {{support_email}}.</p>")},
      {"receipt",
       Make("Your {{product}} receipt",
            "Hello {{name}},\n\nWe received your payment of {{amount_paid_formatted}} "
            "(invoice {{invoice}}). Thank you.\n",
            "<p>Hello {{name}},</p><p>We received your payment of "
            "<strong>{{amount_paid_formatted}}</strong> (invoice {{invoice}}). Thank you.</p>")},
      {"payment_failed",
       Make("Your {{product}} payment failed",
            "Hello {{name}},\n\nWe could not collect {{amount_due_formatted}} for invoice "
            "{{invoice}}. Your access continues until {{grace_until_date}}; please update your "
            "payment method: {{hosted_invoice_url}}\n",
            "<p>Hello {{name}},</p><p>We could not collect {{amount_due_formatted}} for invoice "
            "{{invoice}}. Your access continues until <strong>{{grace_until_date}}</strong>.</p>"
            "<p><a href=\"{{hosted_invoice_url}}\">Update your payment method</a></p>")},
      {"action_required",
       Make("Confirm your {{product}} payment",
            "Hello {{name}},\n\nYour bank asks you to confirm the payment of "
            "{{amount_due_formatted}}. Confirm it here: {{hosted_invoice_url}}\n",
            "<p>Hello {{name}},</p><p>Your bank asks you to confirm the payment of "
            "{{amount_due_formatted}}.</p><p><a href=\"{{hosted_invoice_url}}\">Confirm the "
            "payment</a></p>")},
      {"refund",
       Make("Your {{product}} refund",
            "Hello {{name}},\n\nWe refunded {{amount_formatted}} (refund {{refund}}). It may take "
            "a few days to appear on your statement.\n",
            "<p>Hello {{name}},</p><p>We refunded {{amount_formatted}} (refund {{refund}}). It "
            "may take a few days to appear on your statement.</p>")},
      {"dispute",
       Make("A payment for {{product}} was disputed",
            "Hello {{name}},\n\nA payment of {{amount_formatted}} (charge {{charge}}) was "
            "disputed with your bank (reason: {{reason}}). Access is paused while the dispute is "
            "open. Contact {{support_email}} if this was a mistake.\n",
            "<p>Hello {{name}},</p><p>A payment of {{amount_formatted}} (charge {{charge}}) was "
            "disputed with your bank (reason: {{reason}}). Access is paused while the dispute is "
            "open.</p><p>Contact {{support_email}} if this was a mistake.</p>")},
      {"cancellation",
       Make("Your {{product}} subscription is canceled",
            "Hello {{name}},\n\nYour subscription {{subscription}} is canceled. We are sorry to "
            "see you go.\n",
            "<p>Hello {{name}},</p><p>Your subscription {{subscription}} is canceled. We are "
            "sorry to see you go.</p>")},
      {"trial_ending",
       Make("Your {{product}} trial ends soon",
            "Hello {{name}},\n\nYour trial ends on {{trial_end_date}}. Your subscription then "
            "continues with your saved payment method.\n",
            "<p>Hello {{name}},</p><p>Your trial ends on <strong>{{trial_end_date}}</strong>. "
            "Your subscription then continues with your saved payment method.</p>")},
  };
  return *kTemplates;
}

}  // namespace stripehook::notify
