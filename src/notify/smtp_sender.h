#pragma once

// Sends one MIME message over SMTP with libcurl: STARTTLS when the server offers it (required
// when `require_tls`), AUTH when a username is set. Thread-safe (a curl handle per call).

#include <cstdint>
#include <string>

#include "util/status.h"

namespace stripehook::notify {

struct SmtpServer {
  std::string url = "smtp://127.0.0.1:25";  // smtp:// (STARTTLS) or smtps:// (implicit TLS)
  std::string username;                     // empty: no AUTH
  std::string password;
  bool require_tls = false;
  std::string ca_file;  // PEM certificates to trust instead of the system's (a private CA)
  int64_t timeout_ms = 15'000;
};

struct MailMessage {
  std::string from;       // bare address: "billing@example.com"
  std::string from_name;  // display name, may be empty
  std::string to;         // bare address
  std::string subject;    // UTF-8
  std::string text;
  std::string html;
  std::string message_id;  // "<outbox-42@example.com>"
  int64_t date_unix = 0;
};

// The RFC 5322 message: headers, then multipart/alternative with the text and HTML parts, CRLF
// line endings throughout.
std::string BuildMime(const MailMessage& message);

// kUnavailable when the server is unreachable or refuses the message.
util::Status SendMail(const SmtpServer& server, const MailMessage& message);

}  // namespace stripehook::notify
