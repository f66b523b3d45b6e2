#include <time.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "app/cli_commands.h"
#include "stripe/diagnosis.h"
#include "stripe/signature.h"
#include "util/clock.h"

namespace stripehook::app {
std::string SecretFromEnv() {
  const char* env = std::getenv("STRIPE_WEBHOOK_SECRET");
  if (env == nullptr) return "";
  std::string all(env);
  return all.substr(0, all.find(','));  // the first when several are configured for rotation
}

std::optional<std::string> ReadFileBytes(const std::string& path) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "stripehook: cannot read " << path << "\n";
    return std::nullopt;
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::optional<int64_t> ParseTimeArg(const std::string& text, int64_t now) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  long long number = std::strtoll(text.c_str(), &end, 10);
  if (end != text.c_str() && *end == '\0') return number;
  if (end != text.c_str() && end[1] == '\0') {
    switch (*end) {
      case 's':
        return now - number;
      case 'm':
        return now - number * 60;
      case 'h':
        return now - number * 3600;
      case 'd':
        return now - number * 86400;
      default:
        break;
    }
  }
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) rest = strptime(text.c_str(), "%Y-%m-%d", &tm);
  if (rest == nullptr || (*rest != '\0' && std::string(rest) != "Z")) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

int RunSign(const SignOptions& options) {
  std::string secret = options.secret.empty() ? SecretFromEnv() : options.secret;
  if (secret.empty()) {
    std::cerr << "stripehook sign: no secret: pass --secret or set STRIPE_WEBHOOK_SECRET\n";
    return 2;
  }
  std::optional<std::string> body = ReadFileBytes(options.file);
  if (!body) return 2;
  int64_t timestamp = options.timestamp.value_or(util::SystemClock::Default().NowUnixSeconds());
  std::cout << stripe::SignatureHeaderFor(secret, timestamp, *body) << "\n";
  return 0;
}

int RunVerify(const VerifyOptions& options) {
  std::vector<std::string> secrets = options.secrets;
  if (secrets.empty() && !SecretFromEnv().empty()) secrets.push_back(SecretFromEnv());
  if (secrets.empty()) {
    std::cerr << "stripehook verify: no secret: pass --secret or set STRIPE_WEBHOOK_SECRET\n";
    return 2;
  }
  std::optional<std::string> body = ReadFileBytes(options.file);
  if (!body) return 2;
  int64_t now = options.now.value_or(util::SystemClock::Default().NowUnixSeconds());
  stripe::SignatureDiagnosis diagnosis =
      stripe::DiagnoseSignature(*body, options.header, secrets, now, {options.tolerance});
  if (diagnosis.result.ok()) {
    std::cout << "OK: signature matches secret #" << diagnosis.result.matched_secret + 1 << "\n";
  } else {
    std::cout << "FAILED (" << stripe::SignatureErrorCode(diagnosis.result.error)
              << "): " << diagnosis.result.message << "\n";
  }
  for (const std::string& finding : diagnosis.findings) std::cout << "  - " << finding << "\n";
  return diagnosis.result.ok() ? 0 : 1;
}

}  // namespace stripehook::app
