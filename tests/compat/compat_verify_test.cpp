// stripe-node 23.1.0 signs 1,000 random events (tests/compat/gen_signed_events.js); our verifier
// must accept every one and reject each after one random byte changes.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "stripe/envelope.h"
#include "stripe/signature.h"
#include "support/base64.h"
#include "support/temp_dir.h"
#include "support/test_paths.h"

namespace stripehook::stripe {
namespace {

constexpr int kEvents = 1000;

using stripehook::testing::Base64Decode;

struct SignedEvent {
  std::string body;
  std::string header;
  std::string secret;
  int64_t timestamp = 0;
};

std::vector<SignedEvent> GenerateWithStripeNode(const std::string& out) {
  std::string command = std::string(STRIPEHOOK_NODE) + " " + ::stripehook::testing::SourceDir() +
                        "/tests/compat/gen_signed_events.js " + out + " " +
                        std::to_string(kEvents) + " 20261123";
  if (std::system(command.c_str()) != 0) return {};
  std::ifstream in(out);
  std::vector<SignedEvent> events;
  std::string line;
  while (std::getline(in, line)) {
    boost::json::error_code ec;
    boost::json::value v = boost::json::parse(line, ec);
    if (ec) return {};
    const boost::json::object& o = v.as_object();
    events.push_back({Base64Decode(o.at("payload_b64").as_string()),
                      std::string(o.at("header").as_string()),
                      std::string(o.at("secret").as_string()), o.at("timestamp").as_int64()});
  }
  return events;
}

TEST(CompatVerifyTest, StripeNodeHeadersVerifyAndOneByteChangesDoNot) {
  ::stripehook::testing::TempDir dir;
  std::vector<SignedEvent> events = GenerateWithStripeNode(dir.File("signed.jsonl"));
  ASSERT_EQ(events.size(), static_cast<size_t>(kEvents))
      << "node or tests/compat/node_modules missing? (scripts/deps.sh runs npm ci)";
  std::mt19937_64 rng(42);
  size_t non_ascii = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const SignedEvent& e = events[i];
    SCOPED_TRACE("event " + std::to_string(i));
    VerifyResult ok = VerifySignature(e.body, e.header, {e.secret}, e.timestamp + 299);
    ASSERT_TRUE(ok.ok()) << ok.message;
    // Byte-identical header: same HMAC, same hex, same layout.
    EXPECT_EQ(SignatureHeaderFor(e.secret, e.timestamp, e.body), e.header);
    EXPECT_TRUE(ParseEventEnvelope(e.body).ok()) << ParseEventEnvelope(e.body).status().message();

    std::string changed = e.body;
    size_t pos = rng() % changed.size();
    changed[pos] = static_cast<char>(changed[pos] ^ (1 + rng() % 255));
    VerifyResult bad = VerifySignature(changed, e.header, {e.secret}, e.timestamp);
    EXPECT_EQ(bad.error, SignatureError::kMismatch) << "byte " << pos;
    for (char c : e.body) non_ascii += static_cast<unsigned char>(c) >= 0x80 ? 1 : 0;
  }
  EXPECT_GT(non_ascii, 0u);  // the generator really produced multi-byte UTF-8
}

}  // namespace
}  // namespace stripehook::stripe
