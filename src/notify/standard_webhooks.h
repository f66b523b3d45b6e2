#pragma once

// Standard Webhooks signing (https://www.standardwebhooks.com): the scheme app webhooks use.
// Headers webhook-id, webhook-timestamp (Unix seconds) and webhook-signature "v1,<base64 of
// HMAC-SHA256(key, "<id>.<timestamp>.<body>")>", where the key is the base64 part of a
// "whsec_<base64>" secret. Pure functions, thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace stripehook::notify {

std::string Base64Encode(std::string_view bytes);
// kInvalidArgument when `text` is not padded standard base64.
util::StatusOr<std::string> Base64Decode(std::string_view text);

// The HMAC key of a "whsec_<base64>" secret (the prefix is optional, as in the reference
// libraries). kInvalidArgument when the rest is not base64 or decodes to nothing.
util::StatusOr<std::string> WebhookSecretKey(std::string_view secret);

// "v1,<base64 signature>" for one message.
std::string SignStandardWebhook(std::string_view key, std::string_view msg_id, int64_t timestamp,
                                std::string_view body);

}  // namespace stripehook::notify
