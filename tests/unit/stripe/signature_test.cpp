#include "stripe/signature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stripehook::stripe {
namespace {

constexpr char kSecret[] = "whsec_test";
constexpr int64_t kNow = 1700000000;
constexpr char kBody[] = "{\n  \"id\": \"evt_1\"\n}";

// Reference values computed with Python's hmac module, independently of our code.
TEST(ComputeSignatureTest, MatchesReferenceHmac) {
  EXPECT_EQ(ComputeSignature("whsec_test", 1700000000, "{}"),
            "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91");
  EXPECT_EQ(ComputeSignature("", 0, ""),
            "b849d5a581847b281957065739df36df2463d1977ea8d6e1e4e6cf33fadc68c3");
}

TEST(ComputeSignatureTest, HashesRawBytesIncludingNul) {
  std::string with_nul("a\0b", 3);
  EXPECT_NE(ComputeSignature(kSecret, 1, with_nul), ComputeSignature(kSecret, 1, "a"));
}

TEST(SignatureHeaderForTest, HasStripeShape) {
  std::string header = SignatureHeaderFor("whsec_test", 1700000000, "{}");
  EXPECT_EQ(header,
            "t=1700000000,v1=35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91");
}

TEST(ConstantTimeEqualsTest, ComparesBytes) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(ParseSignatureHeaderTest, ParsesTimestampAndEveryV1InOrder) {
  SignatureHeader h = ParseSignatureHeader("t=12,v1=aa,v0=bb,v1=cc,x=ü,");
  EXPECT_EQ(h.parse_error, SignatureError::kNone) << h.parse_detail;
  EXPECT_EQ(h.timestamp, 12);
  EXPECT_EQ(h.v1, (std::vector<std::string>{"aa", "cc"}));
}

TEST(ParseSignatureHeaderTest, EmptyHeaderIsMissing) {
  EXPECT_EQ(ParseSignatureHeader("").parse_error, SignatureError::kMissingHeader);
}

TEST(ParseSignatureHeaderTest, TimestampMustBeAStrictInteger) {
  for (const char* header :
       {"v1=aa", "t=,v1=aa", "t,v1=aa", "t=abc,v1=aa", "t=12abc,v1=aa", "t=12.5,v1=aa",
        "t=-1,v1=aa", "t=+1,v1=aa", "t=1e9,v1=aa", "t=0x10,v1=aa", "t=9007199254740992,v1=aa",
        "t=99999999999999999999,v1=aa", "t=1,t=1,v1=aa", "T=1,v1=aa", " t=1,v1=aa", "t=1;v1=aa"}) {
    SignatureHeader h = ParseSignatureHeader(header);
    EXPECT_EQ(h.parse_error, SignatureError::kMalformedHeader) << header;
    EXPECT_FALSE(h.parse_detail.empty()) << header;
    EXPECT_FALSE(h.timestamp.has_value()) << header;
  }
}

TEST(ParseSignatureHeaderTest, TimestampEdgesThatAreAccepted) {
  EXPECT_EQ(ParseSignatureHeader("t=0,v1=aa").timestamp, 0);
  EXPECT_EQ(ParseSignatureHeader("t=9007199254740991,v1=aa").timestamp, 9007199254740991);
  // Leading zeros are read as the number (both official libraries sign "<value>.<body>").
  EXPECT_EQ(ParseSignatureHeader("t=0012,v1=aa").timestamp, 12);
  // Spaces around the digits are tolerated by both libraries (vector header_space_inside_t_value).
  EXPECT_EQ(ParseSignatureHeader("t= 12 ,v1=aa").timestamp, 12);
}

TEST(ParseSignatureHeaderTest, MalformedV1Values) {
  // Strict: each of these rejects the whole header, even next to a valid v1.
  for (const char* header : {"t=1,v1=", "t=1,v1", "t=1,v1=,v1=aa", "t=1,v1=aa,v1=zz", "t=1,v1=aa ",
                             "t=1,v1=é", "t=1,v1=ab+/"}) {
    EXPECT_EQ(ParseSignatureHeader(header).parse_error, SignatureError::kMalformedHeader) << header;
  }
}

TEST(ParseSignatureHeaderTest, NoV1IsItsOwnError) {
  for (const char* header : {"t=1", "t=1,v0=aa", "t=1,v2=aa", "t=1, v1=aa", "t=1,V1=aa"}) {
    EXPECT_EQ(ParseSignatureHeader(header).parse_error, SignatureError::kNoV1Signature) << header;
  }
}

TEST(ParseSignatureHeaderTest, ValueEndsAtSecondEquals) {
  SignatureHeader h = ParseSignatureHeader("t=1,v1=abc=junk");
  EXPECT_EQ(h.parse_error, SignatureError::kNone);
  EXPECT_EQ(h.v1, std::vector<std::string>{"abc"});
}

TEST(ParseSignatureHeaderTest, TimestampProblemsWinOverV1Problems) {
  SignatureHeader h = ParseSignatureHeader("v1=,t=x");
  EXPECT_EQ(h.parse_error, SignatureError::kMalformedHeader);
  EXPECT_NE(h.parse_detail.find("'t'"), std::string::npos) << h.parse_detail;
}

VerifyResult Verify(std::string_view body, std::string_view header,
                    const std::vector<std::string>& secrets, int64_t now = kNow,
                    int64_t tolerance = 300) {
  VerifyOptions options;
  options.tolerance_seconds = tolerance;
  return VerifySignature(body, header, secrets, now, options);
}

TEST(VerifySignatureTest, AcceptsWhatSignatureHeaderForMakes) {
  VerifyResult r = Verify(kBody, SignatureHeaderFor(kSecret, kNow - 5, kBody), {kSecret});
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.matched_secret, 0);
  EXPECT_EQ(r.timestamp, kNow - 5);
  EXPECT_TRUE(r.message.empty());
}

TEST(VerifySignatureTest, RotationMatchesAnySecretAndReportsWhich) {
  std::string header = SignatureHeaderFor("whsec_new", kNow, kBody);
  VerifyResult r = Verify(kBody, header, {"whsec_old", "whsec_new"});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.matched_secret, 1);
  // Stripe sends one v1 per active secret: either secret matches.
  std::string both = header + ",v1=" + ComputeSignature("whsec_old", kNow, kBody);
  EXPECT_EQ(Verify(kBody, both, {"whsec_old"}).matched_secret, 0);
  EXPECT_EQ(Verify(kBody, both, {"whsec_other", "whsec_new"}).matched_secret, 1);
}

TEST(VerifySignatureTest, BlankSecretsAreSkippedAndAllBlankIsNoSecret) {
  std::string header = SignatureHeaderFor(kSecret, kNow, kBody);
  EXPECT_EQ(Verify(kBody, header, {}).error, SignatureError::kNoSecret);
  EXPECT_EQ(Verify(kBody, header, {"", " \t\r\n"}).error, SignatureError::kNoSecret);
  VerifyResult r = Verify(kBody, header, {"  ", kSecret});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.matched_secret, 1);
}

TEST(VerifySignatureTest, CheckOrderFollowsStripeNode) {
  std::string bad_sig = "t=" + std::to_string(kNow - 10000) + ",v1=" + std::string(64, 'a');
  // Header problems come before the secret check...
  EXPECT_EQ(Verify(kBody, "", {}).error, SignatureError::kMissingHeader);
  EXPECT_EQ(Verify(kBody, "v1=aa", {}).error, SignatureError::kMalformedHeader);
  EXPECT_EQ(Verify(kBody, "t=1", {}).error, SignatureError::kNoV1Signature);
  EXPECT_EQ(Verify(kBody, bad_sig, {}).error, SignatureError::kNoSecret);
  // ...and an old header with a wrong signature reports the signature, not the age.
  EXPECT_EQ(Verify(kBody, bad_sig, {kSecret}).error, SignatureError::kMismatch);
}

TEST(VerifySignatureTest, Tolerance) {
  auto at_age = [](int64_t age, int64_t tolerance) {
    return Verify(kBody, SignatureHeaderFor(kSecret, kNow - age, kBody), {kSecret}, kNow, tolerance)
        .error;
  };
  EXPECT_EQ(at_age(300, 300), SignatureError::kNone);  // age == tolerance passes
  EXPECT_EQ(at_age(301, 300), SignatureError::kTimestampTooOld);
  EXPECT_EQ(at_age(1000000, 0), SignatureError::kNone);    // 0 disables
  EXPECT_EQ(at_age(1000000, -5), SignatureError::kNone);   // negative disables (as node)
  EXPECT_EQ(at_age(-100000, 300), SignatureError::kNone);  // future passes (both libraries)
}

TEST(VerifySignatureTest, AnyByteChangeIsAMismatch) {
  std::string body = kBody;
  std::string header = SignatureHeaderFor(kSecret, kNow, body);
  for (size_t i = 0; i < body.size(); ++i) {
    std::string changed = body;
    changed[i] ^= 0x01;
    EXPECT_EQ(Verify(changed, header, {kSecret}).error, SignatureError::kMismatch) << i;
  }
  EXPECT_EQ(Verify(body + "\n", header, {kSecret}).error, SignatureError::kMismatch);
  EXPECT_EQ(Verify(body, header, {std::string(kSecret) + "\n"}).error, SignatureError::kMismatch);
}

TEST(VerifySignatureTest, SignedTextUsesTheParsedTimestamp) {
  std::string sig = ComputeSignature(kSecret, 12, kBody);
  EXPECT_TRUE(Verify(kBody, "t=0012,v1=" + sig, {kSecret}, 12).ok());
}

TEST(VerifySignatureTest, MessagesNeverContainTheSecret) {
  const std::string secret = "whsec_SuperSecretValue123";
  const std::string spaced = " " + secret + "\n";
  std::string header = SignatureHeaderFor("whsec_other", kNow, kBody);
  for (const std::string& h : {header, std::string("t=x,v1=aa"), std::string("t=1"),
                               std::string(""), header + "," + spaced}) {
    for (const auto& secrets : {std::vector<std::string>{secret}, {spaced}}) {
      VerifyResult r = Verify(kBody, h, secrets);
      EXPECT_FALSE(r.ok());
      EXPECT_EQ(r.message.find("SuperSecret"), std::string::npos) << r.message;
    }
  }
}

TEST(VerifySignatureTest, ErrorCodes) {
  EXPECT_EQ(SignatureErrorCode(SignatureError::kMissingHeader), "signature_missing");
  EXPECT_EQ(SignatureErrorCode(SignatureError::kMalformedHeader), "signature_malformed");
  EXPECT_EQ(SignatureErrorCode(SignatureError::kNoV1Signature), "signature_no_v1");
  EXPECT_EQ(SignatureErrorCode(SignatureError::kNoSecret), "signature_no_secret");
  EXPECT_EQ(SignatureErrorCode(SignatureError::kMismatch), "signature_mismatch");
  EXPECT_EQ(SignatureErrorCode(SignatureError::kTimestampTooOld), "signature_expired");
}

}  // namespace
}  // namespace stripehook::stripe
