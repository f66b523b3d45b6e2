#include "stripe/diagnosis.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stripehook::stripe {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "whsec_diagnose";
constexpr int64_t kNow = 1763802000;
// Formatted as Stripe sends events: pretty-printed, 2-space indentation, no trailing newline.
constexpr char kBody[] =
    "{\n  \"id\": \"evt_1\",\n  \"object\": \"event\",\n  \"data\": {\n    \"object\": {\n"
    "      \"id\": \"cus_1\"\n    }\n  }\n}";

std::string Header(int64_t t = kNow - 10, std::string_view body = kBody) {
  return SignatureHeaderFor(kSecret, t, body);
}

SignatureDiagnosis Diagnose(std::string_view body, std::string_view header,
                            std::vector<std::string> secrets = {kSecret}, int64_t tolerance = 300) {
  VerifyOptions options;
  options.tolerance_seconds = tolerance;
  return DiagnoseSignature(body, header, secrets, kNow, options);
}

std::string All(const SignatureDiagnosis& d) {
  std::string all;
  for (const std::string& f : d.findings) all += f + "\n";
  return all;
}

TEST(DiagnoseSignatureTest, ValidSaysWhichSecretMatched) {
  SignatureDiagnosis d = Diagnose(kBody, Header(), {"whsec_old", kSecret});
  EXPECT_TRUE(d.result.ok());
  EXPECT_EQ(d.findings[0], "all 6 checks passed: a v1 signature matches secret #2 (of 2)");
  EXPECT_THAT(All(d), HasSubstr("timestamp is 10 s old; within the tolerance of 300 s"));
}

TEST(DiagnoseSignatureTest, OldTimestamp) {
  SignatureDiagnosis d = Diagnose(kBody, Header(kNow - 412));
  EXPECT_EQ(d.result.error, SignatureError::kTimestampTooOld);
  EXPECT_EQ(d.findings[0], "failed check 6/6 (timestamp within the tolerance)");
  EXPECT_THAT(d.findings,
              Contains("timestamp is 412 s old; tolerance is 300 s (too old by 112 s)"));
}

TEST(DiagnoseSignatureTest, FutureTimestamp) {
  SignatureDiagnosis d = Diagnose(kBody, Header(kNow + 90));
  EXPECT_TRUE(d.result.ok());
  EXPECT_THAT(All(d), HasSubstr("timestamp is 90 s in the future"));
}

TEST(DiagnoseSignatureTest, TrailingNewline) {
  SignatureDiagnosis d = Diagnose(std::string(kBody) + "\n", Header());
  EXPECT_EQ(d.result.error, SignatureError::kMismatch);
  EXPECT_THAT(All(d), HasSubstr("ends with a newline that Stripe did not send: the signature "
                                "matches without it"));
  EXPECT_THAT(All(d), Not(HasSubstr("re-serialized")));
}

TEST(DiagnoseSignatureTest, CrlfLineEndings) {
  std::string crlf;
  for (char c : std::string(kBody)) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  SignatureDiagnosis d = Diagnose(crlf, Header());
  EXPECT_EQ(d.result.error, SignatureError::kMismatch);
  EXPECT_THAT(All(d), HasSubstr("CRLF line endings: the signature matches with LF"));
  EXPECT_THAT(All(d), Not(HasSubstr("ends with a newline")));
}

TEST(DiagnoseSignatureTest, ByteOrderMark) {
  SignatureDiagnosis d = Diagnose("\xEF\xBB\xBF" + std::string(kBody), Header());
  EXPECT_THAT(All(d), HasSubstr("starts with a UTF-8 byte order mark"));
  EXPECT_THAT(All(d), HasSubstr("matches without it"));
}

TEST(DiagnoseSignatureTest, SeveralBodyChangesAtOnce) {
  std::string body = "\xEF\xBB\xBF" + std::string(kBody) + "\n";
  EXPECT_THAT(All(Diagnose(body, Header())), HasSubstr("matches once all are undone"));
}

TEST(DiagnoseSignatureTest, ReserializedCompactJson) {
  std::string compact = R"({"id":"evt_1","object":"event","data":{"object":{"id":"cus_1"}}})";
  SignatureDiagnosis d = Diagnose(compact, Header());
  EXPECT_EQ(d.result.error, SignatureError::kMismatch);
  EXPECT_THAT(All(d), AllOf(HasSubstr("re-serialized"), HasSubstr("compact, on one line"),
                            HasSubstr("cannot be recovered")));
}

TEST(DiagnoseSignatureTest, ReindentedJson) {
  std::string four;  // kBody with 4-space indentation
  bool at_line_start = true;
  for (char c : std::string(kBody)) {
    four += (at_line_start && c == ' ') ? std::string("  ") : std::string(1, c);
    at_line_start = c == '\n' || (at_line_start && c == ' ');
  }
  ASSERT_NE(four.find("\n    \"id\""), std::string::npos) << four;
  SignatureDiagnosis d = Diagnose(four, Header());
  EXPECT_THAT(All(d), AllOf(HasSubstr("re-serialized"), HasSubstr("2-space indentation")));
}

TEST(DiagnoseSignatureTest, WrongSecret) {
  SignatureDiagnosis d = Diagnose(kBody, Header(), {"whsec_other"});
  EXPECT_EQ(d.result.error, SignatureError::kMismatch);
  EXPECT_EQ(d.findings[0],
            "failed check 5/6 (a v1 signature matches a secret): none of 1 v1 signature(s) "
            "matches any of 1 secret(s)");
  EXPECT_THAT(All(d), HasSubstr("signed with another secret"));
  EXPECT_THAT(All(d), Not(HasSubstr("re-serialized")));  // Stripe's formatting is intact
}

TEST(DiagnoseSignatureTest, SecretWithWhitespaceNeverPrinted) {
  SignatureDiagnosis d = Diagnose(kBody, Header(), {std::string(kSecret) + "\n"});
  EXPECT_THAT(All(d), HasSubstr("secret #1 has whitespace at its start or end"));
  EXPECT_THAT(All(d), HasSubstr("matches with the whitespace removed"));
  EXPECT_THAT(All(d), Not(HasSubstr("diagnose")));  // the secret's text
}

TEST(DiagnoseSignatureTest, HeaderWithSpacesAfterCommas) {
  std::string signed_header = Header();
  size_t comma = signed_header.find(',');
  std::string header = signed_header.substr(0, comma + 1);
  header.append(" ").append(signed_header.substr(comma + 1));
  SignatureDiagnosis d = Diagnose(kBody, header);
  EXPECT_EQ(d.result.error, SignatureError::kNoV1Signature);
  EXPECT_THAT(All(d), HasSubstr("spaces after commas"));
  EXPECT_THAT(All(d), HasSubstr("matches once the header is exactly as Stripe sent it"));
}

TEST(DiagnoseSignatureTest, UppercaseHex) {
  std::string header = Header();
  for (size_t i = header.find("v1=") + 3; i < header.size(); ++i) {
    header[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(header[i])));
  }
  SignatureDiagnosis d = Diagnose(kBody, header);
  EXPECT_EQ(d.result.error, SignatureError::kMismatch);
  EXPECT_THAT(All(d), HasSubstr("hex signature in uppercase"));
}

TEST(DiagnoseSignatureTest, HeaderWithoutTOrV1) {
  EXPECT_THAT(All(Diagnose(kBody, "v1=" + std::string(64, 'a'))), HasSubstr("no 't' element"));
  EXPECT_THAT(All(Diagnose(kBody, "t=1,v0=aa")), HasSubstr("no 'v1=' element"));
  SignatureDiagnosis none = Diagnose(kBody, "");
  EXPECT_EQ(none.findings[0], "failed check 1/6 (header present)");
  EXPECT_THAT(All(none), HasSubstr("no Stripe-Signature header"));
}

TEST(DiagnoseSignatureTest, BlankAndNonWhsecSecrets) {
  SignatureDiagnosis d = Diagnose(kBody, Header(), {"", "sk_test_123"});
  EXPECT_THAT(All(d), HasSubstr("secret #1 is empty or blank"));
  EXPECT_THAT(All(d), HasSubstr("secret #2 does not start with whsec_"));
  EXPECT_THAT(All(d), Not(HasSubstr("sk_test_123")));
}

}  // namespace
}  // namespace stripehook::stripe
