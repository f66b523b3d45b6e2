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
  // One line per finding, in the order a human should read them, e.g.
  //   "timestamp is 412 s old; tolerance is 300 s (too old by 112 s)"
  //   "body ends with a newline that Stripe did not send: the signature matches without it"
  //   "body has CRLF line endings: the signature matches with LF line endings"
  //   "body starts with a UTF-8 byte order mark"
  //   "body looks re-serialized JSON (compact or re-indented): ..."
  std::vector<std::string> findings;
};

SignatureDiagnosis DiagnoseSignature(std::string_view body, std::string_view header,
                                     const std::vector<std::string>& secrets, int64_t now_unix,
                                     const VerifyOptions& options = {});

}  // namespace stripehook::stripe
