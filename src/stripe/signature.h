#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stripehook::stripe {

// Stripe's webhook signature scheme (see shared/fixtures/SIGNATURE.md): header
// `t=<unix seconds>,v1=<hex>[,v1=...]`, HMAC-SHA256 keyed with the secret's bytes (whsec_ prefix
// included) over "<t>.<raw body>", lowercase hex. Pure code: no I/O, no clock (`now` is passed in).
// Every function here is thread-safe (no shared mutable state).
//
// Where stripe-node's behaviour is a JavaScript accident we are stricter (tests/unit/stripe/
// signature_vectors_test.cpp lists every such vector):
//  * `t` must appear once and be a decimal integer in 0..2^53-1 (digits only; spaces or tabs
//    around the digits are tolerated, as both official libraries do). Leading zeros are allowed;
//    the signed text carries the value written back in decimal (as both libraries do).
//  * every `v1` value must be non-empty ASCII hex, otherwise the whole header is malformed, even
//    when another `v1` would match.
//  * the HMAC is over the raw body bytes (stripe-node hashes a lossy UTF-8 re-decoding).

// Why a header was rejected. Every value maps to an HTTP error code `signature_*`.
enum class SignatureError {
  kNone = 0,
  kMissingHeader,    // no header, or empty
  kMalformedHeader,  // t missing/duplicated/not a strict integer, a v1 element empty or not hex
  kNoV1Signature,    // no v1 element at all (v0-only, other schemes)
  kNoSecret,         // no usable secret configured (empty or whitespace-only)
  kMismatch,         // no v1 matches any secret
  kTimestampTooOld,  // signature fine, timestamp older than the tolerance
};

// "signature_missing", "signature_malformed", "signature_no_v1", "signature_no_secret",
// "signature_mismatch", "signature_expired"; "ok" for kNone.
std::string_view SignatureErrorCode(SignatureError error);

struct SignatureHeader {
  std::optional<int64_t> timestamp;  // strict decimal, 0..2^53-1
  std::vector<std::string> v1;       // raw values, in order
  // kMissingHeader / kMalformedHeader / kNoV1Signature, checked in that order.
  SignatureError parse_error = SignatureError::kNone;
  std::string parse_detail;  // human-readable reason when parse_error != kNone
};

// Parses a Stripe-Signature header. Never trims elements (` v1=` is an unknown key, as in the
// official libraries). Unknown keys and empty elements are ignored. A value ends at the second
// `=` of its element (`v1=<sig>=junk` reads `<sig>`, as both official libraries do).
SignatureHeader ParseSignatureHeader(std::string_view header);

struct VerifyOptions {
  // Seconds. <= 0 disables the age check (as stripe-node). Age == tolerance passes. Timestamps in
  // the future always pass (as in both official libraries).
  int64_t tolerance_seconds = 300;
};

struct VerifyResult {
  SignatureError error = SignatureError::kNone;
  std::string message;      // safe to return to the client and to log: never echoes secrets
  int matched_secret = -1;  // index into `secrets` of the secret that matched
  std::optional<int64_t> timestamp;
  bool ok() const { return error == SignatureError::kNone; }
};

// Verifies `header` for `body` against every secret (rotation: any v1 matching any secret passes).
// Checks in stripe-node's order: header present, `t`, v1 present, secret, signature, then age.
// Blank (empty or whitespace-only) secrets in the list are skipped; when none is usable the
// result is kNoSecret. Comparison is constant-time over equal-length digests. Copies nothing out
// of the header or body (OpenSSL allocates one MAC context per secret tried).
VerifyResult VerifySignature(std::string_view body, std::string_view header,
                             const std::vector<std::string>& secrets, int64_t now_unix,
                             const VerifyOptions& options = {});

// Lowercase-hex HMAC-SHA256 of "<timestamp>.<body>" keyed with `secret`.
std::string ComputeSignature(std::string_view secret, int64_t timestamp, std::string_view body);

// "t=<timestamp>,v1=<sig>" — what Stripe sends and stripe-node's generateTestHeaderString makes.
std::string SignatureHeaderFor(std::string_view secret, int64_t timestamp, std::string_view body);

// Constant-time equality of two byte strings of equal length; false (not early) when lengths
// differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace stripehook::stripe
