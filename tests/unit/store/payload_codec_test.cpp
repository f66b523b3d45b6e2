// The SQLite store's payload codec: every payload reads back byte for byte, Stripe's events
// shrink, what would not shrink is kept as received, and a damaged frame is an error, never a
// different payload.
#include "store/sqlite/payload_codec.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "support/status_matchers.h"
#include "support/test_paths.h"

namespace stripehook::store::sqlite {
namespace {

// Every lifecycle fixture line as Stripe sends it (2-space pretty print) and as stored compact.
std::vector<std::string> FixtureEvents() {
  std::vector<std::string> events;
  for (const auto& entry :
       std::filesystem::directory_iterator(stripehook::testing::FixturesDir() + "/lifecycles")) {
    if (entry.path().extension() != ".jsonl") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) events.push_back(line);
    }
  }
  return events;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(PayloadCodecTest, FixtureEventsRoundTripAndShrink) {
  std::vector<std::string> events = FixtureEvents();
  ASSERT_GT(events.size(), 100u);
  size_t raw = 0;
  size_t stored = 0;
  for (const std::string& event : events) {
    std::string encoded = EncodePayload(event);
    EXPECT_TRUE(IsEncodedPayload(encoded)) << event.substr(0, 80);
    EXPECT_LT(encoded.size(), event.size());
    ASSERT_OK_AND_ASSIGN(std::string decoded, DecodePayload(encoded));
    EXPECT_EQ(decoded, event);
    raw += event.size();
    stored += encoded.size();
  }
  // The dictionary was trained on these events, so this ratio flatters; the held-out case is
  // the next test.
  EXPECT_LT(stored * 4, raw) << stored << " of " << raw << " bytes";
}

// An object the dictionary never saw (the OpenAPI fixture's invoice), in an event envelope.
TEST(PayloadCodecTest, AnEventOutsideTheTrainingSetShrinksAtLeastThreefold) {
  std::string invoice =
      ReadFile(stripehook::testing::FixturesDir() + "/stripe-openapi/invoice.json");
  ASSERT_GT(invoice.size(), 1000u);
  std::string event = R"({"id":"evt_1","object":"event","api_version":"2026-07-29.dahlia",)"
                      R"("created":1788256801,"type":"invoice.paid","data":{"object":)" +
                      invoice + "}}";
  std::string encoded = EncodePayload(event);
  ASSERT_OK_AND_ASSIGN(std::string decoded, DecodePayload(encoded));
  EXPECT_EQ(decoded, event);
  EXPECT_LT(encoded.size() * 3, event.size()) << encoded.size() << " of " << event.size();
}

TEST(PayloadCodecTest, BytesThatWouldNotShrinkAreKeptAsReceived) {
  std::mt19937 rng(7);
  std::string noise(200, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  noise[0] = '{';  // not a frame magic
  for (const std::string& payload : {noise, std::string("{}"), std::string()}) {
    std::string encoded = EncodePayload(payload);
    EXPECT_EQ(encoded, payload);
    EXPECT_FALSE(IsEncodedPayload(encoded));
    ASSERT_OK_AND_ASSIGN(std::string decoded, DecodePayload(encoded));
    EXPECT_EQ(decoded, payload);
  }
}

// Rows stored before the codec, or inserted by tools, hold the payload as received.
TEST(PayloadCodecTest, APayloadAsReceivedDecodesToItself) {
  const std::string raw = "{\"id\":\"evt_old\",\"object\":\"event\"}\n";
  ASSERT_OK_AND_ASSIGN(std::string decoded, DecodePayload(raw));
  EXPECT_EQ(decoded, raw);
}

TEST(PayloadCodecTest, ADamagedFrameIsDataLossNeverAnotherPayload) {
  const std::string event = FixtureEvents().front();
  const std::string encoded = EncodePayload(event);
  ASSERT_TRUE(IsEncodedPayload(encoded));
  // Every single-byte change after the magic: the frame header, the compressed blocks, the
  // checksum. Some header changes still decode to the right bytes (unused bits); none may decode
  // to different ones.
  int rejected = 0;
  for (size_t i = 4; i < encoded.size(); ++i) {
    std::string damaged = encoded;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5A);
    util::StatusOr<std::string> decoded = DecodePayload(damaged);
    if (decoded.ok()) {
      EXPECT_EQ(*decoded, event) << "byte " << i;
    } else {
      EXPECT_EQ(decoded.status().code(), util::StatusCode::kDataLoss) << "byte " << i;
      ++rejected;
    }
  }
  EXPECT_GT(rejected, static_cast<int>(encoded.size()) - 12);
  util::StatusOr<std::string> truncated = DecodePayload(encoded.substr(0, encoded.size() - 5));
  EXPECT_EQ(truncated.status().code(), util::StatusCode::kDataLoss);
}

TEST(PayloadCodecTest, AFrameMadeWithAnotherDictionaryIsRefusedByName) {
  const std::string event = FixtureEvents().front();
  std::string plain(ZSTD_compressBound(event.size()), '\0');
  size_t n = ZSTD_compress(plain.data(), plain.size(), event.data(), event.size(), 3);
  ASSERT_FALSE(ZSTD_isError(n));
  plain.resize(n);
  ASSERT_TRUE(IsEncodedPayload(plain));
  util::StatusOr<std::string> decoded = DecodePayload(plain);
  ASSERT_EQ(decoded.status().code(), util::StatusCode::kDataLoss);
  EXPECT_NE(decoded.status().message().find("dictionary 0"), std::string::npos)
      << decoded.status().ToString();
}

}  // namespace
}  // namespace stripehook::store::sqlite
