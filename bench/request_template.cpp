#include "request_template.h"

#include <openssl/evp.h>

#include <boost/json.hpp>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/check.h"

namespace stripehook::bench {
namespace {

namespace json = boost::json;

constexpr std::string_view kIdPlaceholder = "evt_########################";
constexpr int64_t kCreatedPlaceholder = 9876543210;
constexpr std::string_view kCreatedNeedle = "\"created\":9876543210";

util::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::NotFoundError("cannot open " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

util::StatusOr<json::object> ParseObject(const std::string& path) {
  SH_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) return util::InvalidArgumentError(path + ": not JSON: " + ec.message());
  if (!value.is_object()) return util::InvalidArgumentError(path + ": not a JSON object");
  return std::move(value.as_object());
}

// Serializes `event` with placeholders in "id" and "created" and records where they landed.
util::StatusOr<BodyTemplate> WithSlots(json::object event) {
  event["id"] = kIdPlaceholder;
  event["created"] = kCreatedPlaceholder;
  BodyTemplate out;
  out.body = json::serialize(event);
  size_t id_at = out.body.find(kIdPlaceholder);
  size_t created_at = out.body.find(kCreatedNeedle);
  if (id_at == std::string::npos || out.body.find(kIdPlaceholder, id_at + 1) != std::string::npos ||
      created_at == std::string::npos ||
      out.body.find(kCreatedNeedle, created_at + 1) != std::string::npos) {
    return util::InvalidArgumentError("template holds the id/created placeholder text itself");
  }
  out.id_offset = id_at + 4;
  out.created_offset = created_at + kCreatedNeedle.size() - 10;
  return out;
}

void WriteDigits(char* at, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

util::StatusOr<BodyTemplate> DefaultBodyTemplate(const std::string& fixtures_dir) {
  SH_ASSIGN_OR_RETURN(json::object invoice,
                      ParseObject(fixtures_dir + "/stripe-openapi/invoice.json"));
  json::object trimmed;
  for (const auto& field : invoice) {
    if (!field.value().is_null()) trimmed[field.key()] = field.value();
  }
  trimmed["status"] = "paid";
  json::object event;
  event["api_version"] = "2026-07-29.dahlia";
  event["created"] = 0;
  event["data"] = json::object{{"object", std::move(trimmed)}};
  event["id"] = "";
  event["livemode"] = false;
  event["object"] = "event";
  event["pending_webhooks"] = 1;
  event["request"] = json::object{{"id", nullptr}, {"idempotency_key", nullptr}};
  event["type"] = "invoice.paid";
  return WithSlots(std::move(event));
}

util::StatusOr<BodyTemplate> BodyTemplateFromFile(const std::string& path) {
  SH_ASSIGN_OR_RETURN(json::object event, ParseObject(path));
  return WithSlots(std::move(event));
}

HmacSha256::HmacSha256(std::string_view key)
    : inner_(EVP_MD_CTX_new()), outer_(EVP_MD_CTX_new()), work_(EVP_MD_CTX_new()) {
  constexpr size_t kBlock = 64;
  unsigned char block[kBlock] = {};
  if (key.size() > kBlock) {
    unsigned int n = 0;
    SH_CHECK(EVP_Digest(key.data(), key.size(), block, &n, EVP_sha256(), nullptr) == 1);
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  SH_CHECK(EVP_DigestInit_ex(inner_, EVP_sha256(), nullptr) == 1);
  SH_CHECK(EVP_DigestUpdate(inner_, pad, kBlock) == 1);
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  SH_CHECK(EVP_DigestInit_ex(outer_, EVP_sha256(), nullptr) == 1);
  SH_CHECK(EVP_DigestUpdate(outer_, pad, kBlock) == 1);
}

HmacSha256::~HmacSha256() {
  EVP_MD_CTX_free(inner_);
  EVP_MD_CTX_free(outer_);
  EVP_MD_CTX_free(work_);
}

void HmacSha256::Sign(std::string_view message, unsigned char out[32]) {
  unsigned char inner_hash[32];
  unsigned int n = 0;
  SH_CHECK(EVP_MD_CTX_copy_ex(work_, inner_) == 1);
  SH_CHECK(EVP_DigestUpdate(work_, message.data(), message.size()) == 1);
  SH_CHECK(EVP_DigestFinal_ex(work_, inner_hash, &n) == 1 && n == 32);
  SH_CHECK(EVP_MD_CTX_copy_ex(work_, outer_) == 1);
  SH_CHECK(EVP_DigestUpdate(work_, inner_hash, sizeof(inner_hash)) == 1);
  SH_CHECK(EVP_DigestFinal_ex(work_, out, &n) == 1 && n == 32);
}

RequestRenderer::RequestRenderer(const BodyTemplate& body, std::string_view host,
                                 std::string_view path, std::string_view secret,
                                 std::string_view extra_headers)
    : host_(host), path_(path), extra_headers_(extra_headers), hmac_(secret) {
  signed_ = "0000000000." + body.body;
  id_offset_ = kSignedPrefix + body.id_offset;
  created_offset_ = kSignedPrefix + body.created_offset;
  BuildPostHead(body.body.size());
}

void RequestRenderer::BuildPostHead(size_t body_size) {
  head_ = "POST " + path_ + " HTTP/1.1\r\nHost: " + host_ +
          "\r\nUser-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)\r\n"
          "Content-Type: application/json; charset=utf-8\r\n" +
          extra_headers_ + "Content-Length: " + std::to_string(body_size) +
          "\r\nStripe-Signature: t=";
  head_t_offset_ = head_.size();
  head_ += "0000000000,v1=";
  head_v1_offset_ = head_.size();
  head_ += std::string(64, '0') + "\r\n\r\n";
}

void RequestRenderer::Render(std::string_view id_suffix, int64_t unix_now, bool bad_signature) {
  SH_CHECK(id_suffix.size() == kEventIdSuffixWidth);
  std::memcpy(signed_.data() + id_offset_, id_suffix.data(), kEventIdSuffixWidth);
  WriteDigits(signed_.data() + created_offset_, unix_now, 10);
  Sign(unix_now, bad_signature);
}

void RequestRenderer::RenderEvent(std::string_view body, int64_t unix_now) {
  signed_.assign("0000000000.");
  signed_.append(body);
  BuildPostHead(body.size());
  Sign(unix_now, false);
}

void RequestRenderer::RenderGet(std::string_view path) {
  head_ =
      "GET " + std::string(path) + " HTTP/1.1\r\nHost: " + host_ + "\r\n" + extra_headers_ + "\r\n";
  signed_.resize(kSignedPrefix);  // no body on the wire
}

void RequestRenderer::Sign(int64_t unix_now, bool bad_signature) {
  SH_CHECK(unix_now >= 1'000'000'000 && unix_now <= 9'999'999'999);
  WriteDigits(signed_.data(), unix_now, 10);
  WriteDigits(head_.data() + head_t_offset_, unix_now, 10);
  unsigned char mac[32];
  hmac_.Sign(signed_, mac);
  static constexpr char kHex[] = "0123456789abcdef";
  char* hex = head_.data() + head_v1_offset_;
  for (size_t i = 0; i < sizeof(mac); ++i) {
    hex[2 * i] = kHex[mac[i] >> 4];
    hex[2 * i + 1] = kHex[mac[i] & 0xf];
  }
  if (bad_signature) hex[0] = hex[0] == '0' ? '1' : '0';
}

std::array<iovec, 2> RequestRenderer::Buffers() {
  return {iovec{head_.data(), head_.size()},
          iovec{signed_.data() + kSignedPrefix, signed_.size() - kSignedPrefix}};
}

}  // namespace stripehook::bench
