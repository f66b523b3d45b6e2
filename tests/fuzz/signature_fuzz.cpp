// libFuzzer target: the Stripe-Signature header parser and the verifier on arbitrary bytes.
// The input is split at the first NUL into header and body, so the corpus (real headers and
// bodies from signature-vectors.jsonl) exercises both halves.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stripe/signature.h"
#include "util/check.h"

namespace {

constexpr char kSecret[] = "whsec_4b1f0c2e9d8a7b6c5d4e3f2a1b0c9d8e";
constexpr int64_t kNow = 1234567900;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using stripehook::stripe::SignatureError;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  std::string_view header = input.substr(0, split);
  std::string_view body = split == std::string_view::npos ? "" : input.substr(split + 1);

  auto parsed = stripehook::stripe::ParseSignatureHeader(header);
  if (parsed.parse_error == SignatureError::kNone) {
    SH_CHECK(parsed.timestamp.has_value());
    SH_CHECK(!parsed.v1.empty());
  }
  std::vector<std::string> secrets{kSecret, " ", ""};
  auto result = stripehook::stripe::VerifySignature(body, header, secrets, kNow);
  // A parse error in the header is reported as such by the verifier too.
  if (parsed.parse_error != SignatureError::kNone) SH_CHECK(result.error == parsed.parse_error);
  // The message goes to clients and logs: it must never carry the secret.
  SH_CHECK(result.message.find(kSecret) == std::string::npos);
  SH_CHECK(!stripehook::stripe::SignatureErrorCode(result.error).empty());
  if (parsed.timestamp) {
    // What we sign ourselves must verify (the round trip the CLI `sign` relies on).
    std::string own = stripehook::stripe::SignatureHeaderFor(kSecret, *parsed.timestamp, body);
    SH_CHECK(stripehook::stripe::VerifySignature(body, own, secrets, *parsed.timestamp).ok());
  }
  return 0;
}
