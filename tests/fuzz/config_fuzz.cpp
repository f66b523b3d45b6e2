// libFuzzer target: app::ParseConfig on arbitrary TOML text, with secrets in the environment.
// Besides not crashing (toml11 throws; ParseConfig must turn every throw into a Status), an
// error message or the redacted config must never echo a secret from the environment.

#include <cstddef>
#include <cstdint>
#include <string>

#include "app/config.h"
#include "util/check.h"

namespace {

constexpr char kWebhookSecret[] = "whsec_fuzzenvironmentsecret0123456789";
constexpr char kAdminKey[] = "adminkey_fuzzenvironment_0123456789abcdef";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  stripehook::app::Environment env{{"STRIPE_WEBHOOK_SECRET", kWebhookSecret},
                                   {"STRIPEHOOK_ADMIN_KEY", kAdminKey}};
  auto config = stripehook::app::ParseConfig(text, "fuzz.toml", env);
  // Only a secret the input does not contain itself can leak from the environment.
  auto leaks = [&](const std::string& out) {
    for (const char* secret : {kWebhookSecret, kAdminKey}) {
      if (text.find(secret) == std::string::npos && out.find(secret) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  if (!config.ok()) {
    SH_CHECK(!leaks(config.status().ToString()));
    return 0;
  }
  SH_CHECK(!leaks(stripehook::app::Redacted(*config)));
  return 0;
}
