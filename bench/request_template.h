#pragma once

#include <sys/uio.h>

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace stripehook::bench {

// Width of the part of an event id after "evt_" (Stripe's ids are 24 characters after it too).
inline constexpr size_t kEventIdSuffixWidth = 24;

// A compact event body with fixed-width slots for the two per-request fields, so each request
// is a few memcpy()s and one HMAC, never a JSON serialization.
struct BodyTemplate {
  std::string body;
  size_t id_offset = 0;       // kEventIdSuffixWidth chars, right after "evt_"
  size_t created_offset = 0;  // 10 digits: the top-level "created"
};

// The default body: tests/fixtures/stripe-openapi/invoice.json (its top-level nulls dropped, to
// land near 3 KB) wrapped in an `invoice.paid` event envelope shaped like the lifecycle
// fixtures. kNotFound / kInvalidArgument when the fixture is missing or not JSON.
util::StatusOr<BodyTemplate> DefaultBodyTemplate(const std::string& fixtures_dir);

// A body from a user-provided event JSON file (an object; its "id" and "created" are replaced).
util::StatusOr<BodyTemplate> BodyTemplateFromFile(const std::string& path);

// HMAC-SHA256 with the key's inner and outer pads hashed once (RFC 2104): per message it costs
// two context copies and the hashing, not OpenSSL 3's per-call algorithm fetch (~5 us).
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  // Writes the 32-byte MAC of `message` to `out`.
  void Sign(std::string_view message, unsigned char out[32]);

 private:
  EVP_MD_CTX* inner_;  // state after key ^ ipad
  EVP_MD_CTX* outer_;  // state after key ^ opad
  EVP_MD_CTX* work_;
};

// One connection's request, rendered in place: the HTTP head and the signed text
// "<t>.<body>" live in two buffers; the body sent on the wire is the tail of the signed text.
// Render() rewrites only the slots. Not thread-safe; one per connection.
// `extra_headers` ("Name: value\r\n" lines) go into every request's head.
class RequestRenderer {
 public:
  RequestRenderer(const BodyTemplate& body, std::string_view host, std::string_view path,
                  std::string_view secret, std::string_view extra_headers = {});

  // Fills id suffix (kEventIdSuffixWidth chars), `created` and `t` (= unix_now, 10 digits), and
  // the signature; a bad signature is a correct one with one hex digit changed.
  void Render(std::string_view id_suffix, int64_t unix_now, bool bad_signature);

  // A POST of `body` as it is (a complete event from --events), signed with t = unix_now.
  // Rebuilds the head (the length changes): a few allocations, fine beside the HMAC.
  void RenderEvent(std::string_view body, int64_t unix_now);

  // A GET of `path` with no body and no signature (the application read API).
  void RenderGet(std::string_view path);

  // The request as two buffers for writev: head, then body.
  std::array<iovec, 2> Buffers();
  size_t size() const { return head_.size() + signed_.size() - kSignedPrefix; }

 private:
  static constexpr size_t kSignedPrefix = 11;  // "<10 digits>."
  void BuildPostHead(size_t body_size);
  void Sign(int64_t unix_now, bool bad_signature);

  std::string host_;
  std::string path_;
  std::string extra_headers_;
  std::string head_;
  std::string signed_;
  HmacSha256 hmac_;
  size_t head_t_offset_ = 0;
  size_t head_v1_offset_ = 0;
  size_t id_offset_ = 0;       // in signed_
  size_t created_offset_ = 0;  // in signed_
};

}  // namespace stripehook::bench
