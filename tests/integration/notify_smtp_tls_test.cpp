// STARTTLS against a real SMTP server: aiosmtpd (smtp_sink.py) offering STARTTLS with a
// certificate made by the openssl CLI for this test, refusing mail before TLS.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "notify/smtp_sender.h"
#include "notify_servers.h"
#include "support/temp_dir.h"

namespace stripehook::notify {
namespace {

using stripehook::testing::NotifyReceiverDir;
using stripehook::testing::PortFileServer;

class SmtpTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = dir_.File("cert.pem");
    key_ = dir_.File("key.pem");
    std::string make_cert =
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
        "-addext subjectAltName=IP:127.0.0.1 -keyout '" +
        key_ + "' -out '" + cert_ + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(make_cert.c_str()), 0) << "openssl CLI (Debian openssl)";
  }

  int StartSink(bool tls) {
    std::vector<std::string> argv = {"/usr/bin/python3", NotifyReceiverDir() + "/smtp_sink.py",
                                     "--dir", mail_dir()};
    if (tls) argv.insert(argv.end(), {"--tls-cert", cert_, "--tls-key", key_});
    sink_ = std::make_unique<PortFileServer>(argv, dir_.path(), tls ? "smtp-tls" : "smtp");
    std::string error = sink_->Start();
    EXPECT_EQ(error, "") << "aiosmtpd (Debian python3-aiosmtpd)";
    return sink_->port();
  }

  std::string mail_dir() { return dir_.File("mail"); }
  size_t Received() {
    if (!std::filesystem::exists(mail_dir())) return 0;
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(mail_dir())) {
      if (e.path().extension() == ".eml") ++n;
    }
    return n;
  }
  static MailMessage Message() {
    MailMessage m;
    m.from = "billing@example.com";
    m.to = "customer@example.com";
    m.subject = "Receipt";
    m.text = "Paid.";
    m.html = "<p>Paid.</p>";
    m.message_id = "<outbox-1@example.com>";
    m.date_unix = 1788256900;
    return m;
  }

  stripehook::testing::TempDir dir_;
  std::string cert_;
  std::string key_;
  std::unique_ptr<PortFileServer> sink_;
};

TEST_F(SmtpTlsTest, StartTlsIsUsedWhenOfferedAndTheCertificateIsChecked) {
  int port = StartSink(/*tls=*/true);
  SmtpServer server;
  server.url = "smtp://127.0.0.1:" + std::to_string(port);
  server.require_tls = true;
  // The certificate is not trusted: the handshake fails and nothing is sent in clear.
  EXPECT_FALSE(SendMail(server, Message()).ok());
  EXPECT_EQ(Received(), 0u);
  // Trusting it, the message goes over TLS (the sink refuses mail before STARTTLS).
  server.ca_file = cert_;
  ASSERT_TRUE(SendMail(server, Message()).ok());
  EXPECT_EQ(Received(), 1u);
  // Without require_tls the client still upgrades when offered (the sink would refuse it else).
  server.require_tls = false;
  ASSERT_TRUE(SendMail(server, Message()).ok());
  EXPECT_EQ(Received(), 2u);
}

TEST_F(SmtpTlsTest, RequireTlsRefusesAServerThatDoesNotOfferIt) {
  int port = StartSink(/*tls=*/false);
  SmtpServer server;
  server.url = "smtp://127.0.0.1:" + std::to_string(port);
  server.require_tls = true;
  server.ca_file = cert_;
  EXPECT_FALSE(SendMail(server, Message()).ok());
  EXPECT_EQ(Received(), 0u);
  server.require_tls = false;  // plain delivery when TLS is not required
  ASSERT_TRUE(SendMail(server, Message()).ok());
  EXPECT_EQ(Received(), 1u);
}

}  // namespace
}  // namespace stripehook::notify
