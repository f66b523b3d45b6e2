#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stripe/signature.h"

namespace stripehook::stripe {

// What `stripehook verify` prints: the verdict and every reason a developer needs when Stripe's
// "signature verification failed" leaves them guessing. Pure: `now` is passed in.
struct SignatureDiagnosis {
  VerifyResult result;
  // One line per finding, in the order a human should read them. Secrets are numbered from 1 in
  // the order given ("secret #1"); no finding ever contains a secret's text. E.g.
  //   "timestamp is 412 s old; tolerance is 300 s (too old by 112 s)"
  //   "body ends with a newline that Stripe did not send: the signature matches without it"
  //   "body has CRLF line endings: the signature matches with LF line endings"
  //   "body starts with a UTF-8 byte order mark"
  //   "body looks re-serialized JSON (compact or re-indented): ..."
  std::vector<std::string> findings;
};

// Verifies like VerifySignature (same `result`) and explains it. findings[0] is always the
// verdict; then header problems (no `t`, no `v1`, spaces), the timestamp's age against the
// tolerance (or how far in the future), blank or non-whsec_ secrets. On a mismatch it retries with
// the usual accidental changes undone — trailing newline, CRLF→LF, a UTF-8 BOM, whitespace around
// a secret, spaces or uppercase hex in the header — and says which one makes the signature match;
// if none does, it says whether the body looks re-serialized (JSON not in Stripe's 2-space
// pretty-printing) or was signed with another secret. Thread-safe; costs a few HMACs, so it is for
// the CLI and debugging, not the ingest hot path.
SignatureDiagnosis DiagnoseSignature(std::string_view body, std::string_view header,
                                     const std::vector<std::string>& secrets, int64_t now_unix,
                                     const VerifyOptions& options = {});

}  // namespace stripehook::stripe
