#include "notify/smtp_sender.h"

#include <cstring>
#include <ctime>

#include "notify/curl_handle.h"
#include "notify/standard_webhooks.h"

namespace stripehook::notify {
namespace {

// Normalises every line ending to CRLF, as SMTP requires.
std::string Crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') continue;
    if (text[i] == '\n')
      out += "\r\n";
    else
      out += text[i];
  }
  return out;
}

// RFC 2047 encoded-word when the header text is not plain ASCII.
std::string HeaderText(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) return "=?UTF-8?B?" + Base64Encode(text) + "?=";
  }
  return std::string(text);
}

std::string RfcDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buf, n);
}

struct Upload {
  std::string data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t n = std::min(size * count, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

}  // namespace

std::string BuildMime(const MailMessage& m) {
  std::string boundary = "=_stripehook_" + std::to_string(std::hash<std::string>{}(m.message_id));
  std::string from =
      m.from_name.empty() ? "<" + m.from + ">" : HeaderText(m.from_name) + " <" + m.from + ">";
  std::string mime;
  mime += "Date: " + RfcDate(m.date_unix) + "\r\n";
  mime += "From: " + from + "\r\n";
  mime += "To: <" + m.to + ">\r\n";
  mime += "Subject: " + HeaderText(m.subject) + "\r\n";
  mime += "Message-ID: " + m.message_id + "\r\n";
  mime += "MIME-Version: 1.0\r\n";
  mime += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  mime += "--" + boundary + "\r\nContent-Type: text/plain; charset=UTF-8\r\n";
  mime += "Content-Transfer-Encoding: 8bit\r\n\r\n" + Crlf(m.text) + "\r\n";
  mime += "--" + boundary + "\r\nContent-Type: text/html; charset=UTF-8\r\n";
  mime += "Content-Transfer-Encoding: 8bit\r\n\r\n" + Crlf(m.html) + "\r\n";
  mime += "--" + boundary + "--\r\n";
  return mime;
}

util::Status SendMail(const SmtpServer& server, const MailMessage& message) {
  CurlHandle curl = NewCurlHandle();
  if (!curl) return util::UnavailableError("curl_easy_init failed");
  CURL* c = curl.get();
  Upload upload{BuildMime(message), 0};
  CurlList rcpt(curl_slist_append(nullptr, ("<" + message.to + ">").c_str()));
  std::string mail_from = "<" + message.from + ">";
  curl_easy_setopt(c, CURLOPT_URL, server.url.c_str());
  curl_easy_setopt(c, CURLOPT_USE_SSL, server.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  if (!server.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, server.ca_file.c_str());
  if (!server.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, server.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, server.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(server.timeout_ms));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    return util::UnavailableError(std::string("SMTP send failed: ") + curl_easy_strerror(rc));
  }
  return util::OkStatus();
}

}  // namespace stripehook::notify
