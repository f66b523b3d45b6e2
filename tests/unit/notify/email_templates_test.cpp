// Email templates (built-in and operator overrides), placeholder values, the MIME message.
#include "notify/email_templates.h"

#include <gtest/gtest.h>

#include <fstream>

#include "notify/email_channel.h"
#include "notify/redis_channel.h"
#include "notify/smtp_sender.h"
#include "support/status_matchers.h"
#include "support/temp_dir.h"

namespace stripehook::notify {
namespace {

TEST(EmailTemplatesTest, EveryKindNamedByATypeHasABuiltinTemplate) {
  for (std::string_view type : {"subscription.created", "purchase.created", "payment.succeeded",
                                "payment.failed", "payment.action_required", "refund.created",
                                "dispute.created", "subscription.canceled", "trial.ending"}) {
    std::optional<std::string_view> kind = EmailKindFor(type);
    ASSERT_TRUE(kind.has_value()) << type;
    EXPECT_TRUE(BuiltinEmailTemplates().count(*kind)) << *kind;
  }
  EXPECT_FALSE(EmailKindFor("access.changed").has_value());
  EXPECT_FALSE(EmailKindFor("subscription.updated").has_value());
}

TEST(EmailTemplatesTest, PaymentFailedSaysWhenAccessEndsAndLinksTheInvoice) {
  ASSERT_OK_AND_ASSIGN(EmailTemplates t, EmailTemplates::Load(""));
  boost::json::object body{{"invoice", "in_1"},
                           {"amount_due", 8900},
                           {"currency", "usd"},
                           {"grace_until", 1788516001},
                           {"hosted_invoice_url", "https://pay.example/i?a=1&b=2"}};
  auto vars = TemplateVars(body);
  vars["name"] = "Ava <Lopez>";
  vars["product"] = "Acme";
  ASSERT_OK_AND_ASSIGN(RenderedEmail email, t.Render("payment_failed", vars));
  EXPECT_EQ(email.subject, "Your Acme payment failed");
  EXPECT_NE(email.text.find("89.00 USD"), std::string::npos) << email.text;
  EXPECT_NE(email.text.find("2026-09-04 10:00 UTC"), std::string::npos) << email.text;
  EXPECT_NE(email.text.find("https://pay.example/i?a=1&b=2"), std::string::npos);
  EXPECT_NE(email.html.find("Ava &lt;Lopez&gt;"), std::string::npos) << email.html;
  EXPECT_NE(email.html.find("a=1&amp;b=2"), std::string::npos) << email.html;
  EXPECT_EQ(t.Render("no_such_kind", vars).status().code(), util::StatusCode::kNotFound);
}

TEST(EmailTemplatesTest, OperatorFilesOverrideSingleParts) {
  stripehook::testing::TempDir dir;
  std::ofstream(dir.File("receipt.subject")) << "Paid: {{amount_paid_formatted}}\n";
  ASSERT_OK_AND_ASSIGN(EmailTemplates t, EmailTemplates::Load(dir.path()));
  boost::json::object body{{"amount_paid", 19900}, {"currency", "eur"}};
  ASSERT_OK_AND_ASSIGN(RenderedEmail email, t.Render("receipt", TemplateVars(body)));
  EXPECT_EQ(email.subject, "Paid: 199.00 EUR");  // trailing newline dropped from a header
  EXPECT_NE(email.text.find("We received your payment"), std::string::npos);  // built-in
  EXPECT_FALSE(EmailTemplates::Load(dir.File("missing")).ok());
}

TEST(MimeTest, HasBothPartsTheMessageIdAndCrlfLines) {
  MailMessage m;
  m.from = "billing@example.com";
  m.from_name = "Acme Billing";
  m.to = "ava@example.com";
  m.subject = "Grüße";
  m.text = "line 1\nline 2\n";
  m.html = "<p>hi</p>";
  m.message_id = "<outbox-7@example.com>";
  m.date_unix = 1788256801;
  std::string mime = BuildMime(m);
  EXPECT_NE(mime.find("Message-ID: <outbox-7@example.com>\r\n"), std::string::npos);
  EXPECT_NE(mime.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(mime.find("Content-Type: text/plain"), std::string::npos);
  EXPECT_NE(mime.find("Content-Type: text/html"), std::string::npos);
  EXPECT_NE(mime.find("line 1\r\nline 2\r\n"), std::string::npos);
  EXPECT_EQ(mime.find("2\n"), std::string::npos);  // no bare LF
}

TEST(EmailChannelTest, MessageIdComesFromTheOutboxIdAndSendersDomain) {
  EmailSettings settings;
  settings.from = "billing@acme.test";
  ASSERT_OK_AND_ASSIGN(EmailTemplates t, EmailTemplates::Load(""));
  EmailChannel customer(EmailChannel::Audience::kCustomer, settings, t, nullptr);
  EmailChannel op(EmailChannel::Audience::kOperator, settings, t, nullptr);
  store::OutboxEntry e;
  e.id = 12;
  e.type = "dispute.created";
  e.user_id = "u1";
  EXPECT_EQ(customer.MessageId(e), "<outbox-12@acme.test>");
  EXPECT_EQ(op.MessageId(e), "<outbox-12.operator@acme.test>");
  EXPECT_TRUE(customer.Wants(e));
  EXPECT_TRUE(op.Wants(e));
  e.type = "payment.succeeded";
  EXPECT_FALSE(op.Wants(e));
  e.type = "access.changed";
  EXPECT_FALSE(customer.Wants(e));
}

TEST(RedisChannelTest, KeyPatternAndUrls) {
  EXPECT_EQ(InvalidationKey("features:{user_id}", "u_1"), "features:u_1");
  EXPECT_EQ(InvalidationKey("{user_id}:{user_id}", "x"), "x:x");
  EXPECT_EQ(InvalidationKey("static", "x"), "static");
  EXPECT_TRUE(RedisChannel::Create({"redis://127.0.0.1:6379/2", "k", 100}).ok());
  EXPECT_TRUE(RedisChannel::Create({"unix:///tmp/r.sock", "k", 100}).ok());
  EXPECT_FALSE(RedisChannel::Create({"http://127.0.0.1:6379", "k", 100}).ok());
  EXPECT_FALSE(RedisChannel::Create({"redis://127.0.0.1", "k", 100}).ok());
}

}  // namespace
}  // namespace stripehook::notify
