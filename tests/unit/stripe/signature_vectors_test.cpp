// Runs every vector of tests/fixtures/signature-vectors.jsonl (verdicts produced by stripe-node
// 23.1.0) through VerifySignature + ParseEventEnvelope, which together are what constructEvent
// does. Where we deliberately differ from stripe-node, kDeviations below says how and why.

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "stripe/envelope.h"
#include "stripe/signature.h"
#include "support/test_paths.h"
#include "test_util.h"

namespace stripehook::stripe {
namespace {

namespace json = boost::json;
using testing::Base64Decode;
using testing::ReadFile;

struct Vector {
  std::string name;
  std::string secret;
  std::string body;
  std::string header;
  int64_t now = 0;
  std::optional<int64_t> tolerance;
  bool node_ok = false;
  bool node_signature_ok = false;
  std::string node_error;
  bool has_quirk = false;
};

// What we expect where it cannot be derived from stripe-node's error message.
struct Deviation {
  SignatureError signature;  // our VerifySignature result
  bool envelope_ok;          // ParseEventEnvelope result when the signature passed
  const char* why;
};

// The table of vectors where our result differs from stripe-node 23.1.0 (verdict or error kind).
// A `*` in the comment marks the seven where stripe-node ACCEPTS and we reject.
const std::map<std::string, Deviation>& Deviations() {
  using E = SignatureError;
  static const auto* table = new std::map<std::string, Deviation>{
      // * Node keeps the last `t`; python the first. A header with two timestamps is ambiguous,
      //   so we reject it instead of guessing which one the sender meant.
      {"duplicate_t_last_is_signed", {E::kMalformedHeader, true, "duplicate t is ambiguous"}},
      {"duplicate_t_first_is_signed", {E::kMalformedHeader, true, "duplicate t is ambiguous"}},
      // * parseInt("abc") is NaN and node signs the literal text "NaN.<body>": a JS artefact.
      {"t_non_numeric_signed_as_NaN", {E::kMalformedHeader, true, "t must be an integer"}},
      {"t_non_numeric_signed_literal", {E::kMalformedHeader, true, "t must be an integer"}},
      // * parseInt reads a numeric prefix; a strict parser rejects "<ts>abc" and "<ts>.5".
      {"t_trailing_garbage", {E::kMalformedHeader, true, "t must be digits only"}},
      {"t_decimal", {E::kMalformedHeader, true, "t must be digits only"}},
      // * Node renders 99999999999999999999 as a double (1e20); we refuse values past 2^53-1,
      //   which no real Stripe timestamp reaches, instead of signing a different number.
      {"huge_timestamp_signed_as_rendered", {E::kMalformedHeader, true, "t above 2^53-1"}},
      {"huge_timestamp_signed_literal", {E::kMalformedHeader, true, "t above 2^53-1"}},
      {"timestamp_above_2_pow_53", {E::kMalformedHeader, true, "t above 2^53-1"}},
      // Node throws a plain Error/RangeError from its compare helper; we call the header malformed.
      {"v1_empty_value", {E::kMalformedHeader, true, "empty v1 value"}},
      {"v1_empty_value_plus_valid",
       {E::kMalformedHeader, true, "empty v1 value next to a valid one"}},
      {"v1_without_equals", {E::kMalformedHeader, true, "v1 without '='"}},
      {"signature_non_ascii_same_length", {E::kMalformedHeader, true, "non-hex v1 value"}},
      // Node: mismatch / no-v1; for us a v1 value that is not hex, or a `t` value with a ';' in
      // it, is a malformed header (same verdict, other error code).
      {"signature_base64", {E::kMalformedHeader, true, "non-hex v1 value"}},
      {"header_trailing_space_after_signature", {E::kMalformedHeader, true, "space in v1 value"}},
      {"header_semicolon_separator", {E::kMalformedHeader, true, "t value '<ts>;v1' not digits"}},
      // Byte-exact HMAC: the signature over the raw bytes passes; the body is then refused as
      // JSON (invalid UTF-8 / BOM). Node hashes a lossy UTF-8 decoding instead.
      {"non_utf8_body_hmac_over_raw_bytes", {E::kNone, false, "HMAC over raw bytes"}},
      {"bom_body_hmac_over_raw_bytes", {E::kNone, false, "HMAC over raw bytes"}},
      // * Accepted by node only because it hashes U+FFFD replacements / drops the BOM.
      {"non_utf8_body_hmac_over_replacement_text", {E::kMismatch, true, "HMAC over raw bytes"}},
      {"bom_body_hmac_without_bom", {E::kMismatch, true, "HMAC over raw bytes"}},
  };
  return *table;
}

// Our error for a vector on which we follow stripe-node, derived from node's message.
std::optional<SignatureError> FromNodeMessage(const Vector& v) {
  if (v.node_signature_ok) return SignatureError::kNone;
  const std::string& m = v.node_error;
  auto starts = [&](std::string_view p) { return m.rfind(p, 0) == 0; };
  if (starts("No stripe-signature header")) return SignatureError::kMissingHeader;
  if (starts("Unable to extract timestamp")) return SignatureError::kMalformedHeader;
  if (starts("No signatures found with expected scheme")) return SignatureError::kNoV1Signature;
  if (starts("No webhook secret value")) return SignatureError::kNoSecret;
  if (starts("No signatures found matching")) return SignatureError::kMismatch;
  if (starts("Timestamp outside the tolerance zone")) return SignatureError::kTimestampTooOld;
  return std::nullopt;
}

std::string StringOr(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

Vector ToVector(const json::object& o) {
  Vector v;
  v.name = StringOr(o, "name");
  v.secret = StringOr(o, "secret");
  v.body = Base64Decode(StringOr(o, "payload_b64"));
  v.header = StringOr(o, "header");
  v.now = o.at("now").to_number<int64_t>();
  if (!o.at("tolerance").is_null()) v.tolerance = o.at("tolerance").to_number<int64_t>();
  v.node_ok = StringOr(o, "expect") == "ok";
  v.node_signature_ok = StringOr(o, "stripe_node_signature_check") == "ok";
  v.node_error = StringOr(o, "stripe_node_error");
  v.has_quirk = o.contains("quirk");
  return v;
}

std::vector<Vector> LoadVectors() {
  std::istringstream lines(
      ReadFile(::stripehook::testing::FixturesDir() + "/signature-vectors.jsonl"));
  std::vector<Vector> vectors;
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    json::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) return {};
    vectors.push_back(ToVector(v.get_object()));
  }
  return vectors;
}

const std::vector<Vector>& Vectors() {
  static const auto* vectors = new std::vector<Vector>(LoadVectors());
  return *vectors;
}

TEST(SignatureVectorsTest, AllSeventyOneVectorsLoad) {
  ASSERT_EQ(Vectors().size(), 71u);
  size_t ok = 0;
  for (const Vector& v : Vectors()) ok += v.node_ok ? 1 : 0;
  EXPECT_EQ(ok, 28u);  // README: 28 ok, 43 error
}

TEST(SignatureVectorsTest, EveryDeviationNamesARealVector) {
  std::set<std::string> names;
  for (const Vector& v : Vectors()) names.insert(v.name);
  for (const auto& [name, deviation] : Deviations()) EXPECT_TRUE(names.count(name)) << name;
}

TEST(SignatureVectorsTest, NodeOkWithoutQuirkAlwaysVerifies) {
  for (const Vector& v : Vectors()) {
    if (!v.node_ok || v.has_quirk) continue;
    VerifyOptions options;
    if (v.tolerance) options.tolerance_seconds = *v.tolerance;
    VerifyResult r = VerifySignature(v.body, v.header, {v.secret}, v.now, options);
    EXPECT_TRUE(r.ok()) << v.name << ": " << r.message;
    EXPECT_TRUE(ParseEventEnvelope(v.body).ok()) << v.name;
    EXPECT_FALSE(Deviations().count(v.name)) << v.name;
  }
}

class SignatureVectorTest : public ::testing::TestWithParam<size_t> {};

TEST_P(SignatureVectorTest, MatchesStripeNodeOrDocumentedDeviation) {
  ASSERT_LT(GetParam(), Vectors().size());
  const Vector& v = Vectors()[GetParam()];
  SCOPED_TRACE(v.name);
  auto deviation = Deviations().find(v.name);
  bool deviates = deviation != Deviations().end();
  std::optional<SignatureError> expected =
      deviates ? deviation->second.signature : FromNodeMessage(v);
  ASSERT_TRUE(expected.has_value()) << "unmapped stripe-node error: " << v.node_error;

  VerifyOptions options;
  if (v.tolerance) options.tolerance_seconds = *v.tolerance;
  VerifyResult r = VerifySignature(v.body, v.header, {v.secret}, v.now, options);
  EXPECT_EQ(r.error, *expected) << r.message;
  if (!v.secret.empty()) {
    EXPECT_EQ(r.message.find(v.secret), std::string::npos);
  }
  if (!deviates && !r.ok()) {
    // Same wording as stripe-node up to its first sentence, so logs read the same.
    std::string node_first = v.node_error.substr(0, v.node_error.find('?') + 1);
    if (node_first.empty()) node_first = v.node_error;
    EXPECT_EQ(r.message.substr(0, node_first.size()), node_first);
  }
  if (!r.ok()) return;
  EXPECT_EQ(r.matched_secret, 0);
  // Signature fine: the body must now parse as an event exactly when constructEvent succeeded.
  bool envelope_ok = ParseEventEnvelope(v.body).ok();
  EXPECT_EQ(envelope_ok, deviates ? deviation->second.envelope_ok : v.node_ok);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SignatureVectorTest, ::testing::Range<size_t>(0, 71),
                         [](const ::testing::TestParamInfo<size_t>& info) {
                           return info.param < Vectors().size()
                                      ? Vectors()[info.param].name
                                      : "missing_" + std::to_string(info.param);
                         });

// The seven vectors stripe-node accepts and we reject, named so a change in either is noticed.
TEST(SignatureVectorsTest, StrictRejectionsOfNodeAcceptedVectors) {
  std::set<std::string> rejected;
  for (const Vector& v : Vectors()) {
    if (!v.node_ok) continue;
    VerifyOptions options;
    if (v.tolerance) options.tolerance_seconds = *v.tolerance;
    if (!VerifySignature(v.body, v.header, {v.secret}, v.now, options).ok())
      rejected.insert(v.name);
  }
  EXPECT_EQ(rejected,
            (std::set<std::string>{
                "duplicate_t_last_is_signed", "t_non_numeric_signed_as_NaN", "t_trailing_garbage",
                "t_decimal", "huge_timestamp_signed_as_rendered",
                "non_utf8_body_hmac_over_replacement_text", "bom_body_hmac_without_bom"}));
}

}  // namespace
}  // namespace stripehook::stripe
