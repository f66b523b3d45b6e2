#include "stripe/signature.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <charconv>

#include "util/check.h"

namespace stripehook::stripe {
namespace {

// stripe-node reads timestamps as doubles; beyond 2^53 they are silently rounded, so a strict
// verifier refuses them instead of signing a different number than the header shows.
constexpr int64_t kMaxTimestamp = (int64_t{1} << 53) - 1;
constexpr size_t kHexDigestSize = 64;
using HexDigest = std::array<char, kHexDigestSize>;

constexpr std::string_view kMismatchMessage =
    "No signatures found matching the expected signature for payload. Are you passing the raw "
    "request body you received from Stripe?";

// One `key=value` element of the header. `value` ends at a second '=' as in both libraries.
struct Element {
  std::string_view key;
  std::string_view value;
  bool has_equals = false;
};

Element SplitElement(std::string_view element) {
  size_t eq = element.find('=');
  if (eq == std::string_view::npos) return {element, {}, false};
  std::string_view rest = element.substr(eq + 1);
  return {element.substr(0, eq), rest.substr(0, rest.find('=')), true};
}

template <typename Fn>
void ForEachElement(std::string_view header, Fn&& fn) {
  while (true) {
    size_t comma = header.find(',');
    std::string_view element = header.substr(0, comma);
    if (!element.empty()) fn(SplitElement(element));
    if (comma == std::string_view::npos) return;
    header.remove_prefix(comma + 1);
  }
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Digits only between optional spaces/tabs (both official parsers accept `t= 123`).
std::optional<int64_t> ParseStrictTimestamp(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
    if (value > kMaxTimestamp) return std::nullopt;
  }
  return value;
}

// The result of scanning a header without copying anything out of it.
struct HeaderScan {
  std::optional<int64_t> timestamp;
  size_t v1_count = 0;
  SignatureError error = SignatureError::kNone;
  std::string_view detail;  // static text
};

void ScanElement(const Element& e, HeaderScan& scan, std::string_view& t_error,
                 std::string_view& v1_error, bool& saw_t) {
  if (e.key == "t") {
    if (saw_t) {
      t_error = "duplicate 't' element";
      return;
    }
    saw_t = true;
    scan.timestamp = e.has_equals ? ParseStrictTimestamp(e.value) : std::nullopt;
    if (!scan.timestamp) t_error = "'t' is not a decimal integer between 0 and 2^53-1";
  } else if (e.key == "v1") {
    ++scan.v1_count;
    if (!v1_error.empty()) return;
    if (!e.has_equals) {
      v1_error = "'v1' element without '='";
    } else if (e.value.empty()) {
      v1_error = "empty 'v1' value";
    } else {
      for (char c : e.value) {
        if (!IsHexDigit(c)) {
          v1_error = "'v1' value is not hexadecimal";
          break;
        }
      }
    }
  }
}

HeaderScan ScanHeader(std::string_view header) {
  HeaderScan scan;
  if (header.empty()) {
    scan.error = SignatureError::kMissingHeader;
    scan.detail = "No stripe-signature header value was provided.";
    return scan;
  }
  std::string_view t_error, v1_error;
  bool saw_t = false;
  ForEachElement(header, [&](const Element& e) { ScanElement(e, scan, t_error, v1_error, saw_t); });
  if (!saw_t) t_error = "no 't' element";
  if (!t_error.empty() || !v1_error.empty()) {
    scan.error = SignatureError::kMalformedHeader;
    scan.detail = t_error.empty() ? v1_error : t_error;
    scan.timestamp.reset();
  } else if (scan.v1_count == 0) {
    scan.error = SignatureError::kNoV1Signature;
    scan.detail = "No signatures found with expected scheme v1";
  }
  return scan;
}

bool IsBlankSecret(std::string_view secret) {
  return secret.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

const EVP_MAC* HmacAlgorithm() {
  // The algorithm object is not keyed: sharing it between threads holds no secret.
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  SH_CHECK(mac != nullptr);
  return mac;
}

// HMAC-SHA256(secret, "<timestamp>.<body>") as lowercase hex, without building the joined text.
HexDigest HmacHex(std::string_view secret, int64_t timestamp, std::string_view body) {
  char ts[24];
  auto [ts_end, ec] = std::to_chars(ts, ts + sizeof(ts), timestamp);
  SH_CHECK(ec == std::errc());
  static const unsigned char kEmptyKey = 0;
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                         OSSL_PARAM_construct_end()};
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(const_cast<EVP_MAC*>(HmacAlgorithm()));
  SH_CHECK(ctx != nullptr);
  const auto* key =
      secret.empty() ? &kEmptyKey : reinterpret_cast<const unsigned char*>(secret.data());
  unsigned char mac[32];
  size_t mac_len = 0;
  bool ok =
      EVP_MAC_init(ctx, key, secret.size(), params) == 1 &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(ts), ts_end - ts) == 1 &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>("."), 1) == 1 &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(body.data()), body.size()) == 1 &&
      EVP_MAC_final(ctx, mac, &mac_len, sizeof(mac)) == 1;
  EVP_MAC_CTX_free(ctx);
  SH_CHECK(ok && mac_len == sizeof(mac));
  static constexpr char kHex[] = "0123456789abcdef";
  HexDigest hex;
  for (size_t i = 0; i < sizeof(mac); ++i) {
    hex[2 * i] = kHex[mac[i] >> 4];
    hex[2 * i + 1] = kHex[mac[i] & 0xf];
  }
  OPENSSL_cleanse(mac, sizeof(mac));
  return hex;
}

bool AnyV1Matches(std::string_view header, std::string_view expected) {
  bool matched = false;
  ForEachElement(header, [&](const Element& e) {
    // Every value is compared, so timing does not reveal which element matched.
    if (e.key == "v1" && ConstantTimeEquals(e.value, expected)) matched = true;
  });
  return matched;
}

// The index of the first usable secret whose signature is among the v1 values, or -1.
int MatchingSecret(std::string_view body, std::string_view header,
                   const std::vector<std::string>& secrets, int64_t timestamp) {
  for (size_t i = 0; i < secrets.size(); ++i) {
    if (IsBlankSecret(secrets[i])) continue;
    HexDigest hex = HmacHex(secrets[i], timestamp, body);
    bool matched = AnyV1Matches(header, std::string_view(hex.data(), hex.size()));
    OPENSSL_cleanse(hex.data(), hex.size());
    if (matched) return static_cast<int>(i);
  }
  return -1;
}

VerifyResult Fail(VerifyResult result, SignatureError error, std::string message) {
  result.error = error;
  result.message = std::move(message);
  return result;
}

std::string MismatchMessage(const std::vector<std::string>& secrets) {
  std::string message(kMismatchMessage);
  for (const std::string& secret : secrets) {
    if (!IsBlankSecret(secret) && secret.find_first_of(" \t\r\n\f\v") != std::string::npos) {
      message += " Note: a configured signing secret contains whitespace.";
      break;
    }
  }
  return message;
}

}  // namespace

std::string_view SignatureErrorCode(SignatureError error) {
  switch (error) {
    case SignatureError::kNone:
      return "ok";
    case SignatureError::kMissingHeader:
      return "signature_missing";
    case SignatureError::kMalformedHeader:
      return "signature_malformed";
    case SignatureError::kNoV1Signature:
      return "signature_no_v1";
    case SignatureError::kNoSecret:
      return "signature_no_secret";
    case SignatureError::kMismatch:
      return "signature_mismatch";
    case SignatureError::kTimestampTooOld:
      return "signature_expired";
  }
  return "signature_invalid";
}

SignatureHeader ParseSignatureHeader(std::string_view header) {
  HeaderScan scan = ScanHeader(header);
  SignatureHeader parsed;
  parsed.timestamp = scan.timestamp;
  parsed.parse_error = scan.error;
  parsed.parse_detail = std::string(scan.detail);
  ForEachElement(header, [&](const Element& e) {
    if (e.key == "v1") parsed.v1.emplace_back(e.value);
  });
  return parsed;
}

VerifyResult VerifySignature(std::string_view body, std::string_view header,
                             const std::vector<std::string>& secrets, int64_t now_unix,
                             const VerifyOptions& options) {
  VerifyResult result;
  HeaderScan scan = ScanHeader(header);
  result.timestamp = scan.timestamp;
  if (scan.error != SignatureError::kNone) {
    std::string message = scan.error == SignatureError::kMalformedHeader
                              ? "Unable to extract timestamp and signatures from header: "
                              : "";
    return Fail(std::move(result), scan.error, message.append(scan.detail));
  }
  bool any_secret = false;
  for (const std::string& secret : secrets) any_secret = any_secret || !IsBlankSecret(secret);
  if (!any_secret) {
    return Fail(std::move(result), SignatureError::kNoSecret,
                "No webhook secret value was provided. It should start with `whsec_`");
  }
  result.matched_secret = MatchingSecret(body, header, secrets, *scan.timestamp);
  if (result.matched_secret < 0) {
    return Fail(std::move(result), SignatureError::kMismatch, MismatchMessage(secrets));
  }
  int64_t age = now_unix - *scan.timestamp;
  if (options.tolerance_seconds > 0 && age > options.tolerance_seconds) {
    return Fail(std::move(result), SignatureError::kTimestampTooOld,
                "Timestamp outside the tolerance zone (" + std::to_string(age) +
                    " s old; tolerance " + std::to_string(options.tolerance_seconds) + " s)");
  }
  return result;
}

std::string ComputeSignature(std::string_view secret, int64_t timestamp, std::string_view body) {
  HexDigest hex = HmacHex(secret, timestamp, body);
  return std::string(hex.data(), hex.size());
}

std::string SignatureHeaderFor(std::string_view secret, int64_t timestamp, std::string_view body) {
  return "t=" + std::to_string(timestamp) + ",v1=" + ComputeSignature(secret, timestamp, body);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace stripehook::stripe
