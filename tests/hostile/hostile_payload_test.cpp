// Hostile webhook payloads and signatures against a real `stripehook serve`: invalid UTF-8,
// deeply nested JSON, huge numbers, 10,000 `v1=` elements, replayed signatures with old
// timestamps. Every body here is signed with the real secret, so it is the payload (or the
// signature's age) that must be refused: a clear 4xx with our error body, and no table changes.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "hostile/hostile_harness.h"

namespace stripehook::testing {
namespace {

class HostilePayloadTest : public HostileServerTest {
 protected:
  static void SetUpTestSuite() { StartServer(""); }

  HttpResult Post(const std::string& body, const std::string& signature) {
    HttpClient client(port());
    return client.Request("POST", "/webhooks/stripe", body,
                          {{"Content-Type", "application/json"}, {"Stripe-Signature", signature}});
  }
  HttpResult PostSigned(const std::string& body, int64_t timestamp = UnixNow()) {
    return Post(body, stripe::SignatureHeaderFor(kSecret, timestamp, body));
  }
  void ExpectRejected(const HttpResult& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(ErrorCode(r.body), code) << r.body;
  }
};

// An event whose `created` is written as `created` verbatim.
std::string EventWithCreated(const std::string& id, const std::string& created) {
  return "{\"id\":\"" + id +
         "\",\"object\":\"event\",\"type\":\"invoice.paid\",\"created\":" + created +
         ",\"livemode\":false,\"data\":{\"object\":{\"id\":\"in_1\",\"object\":" + "\"invoice\"}}}";
}

TEST_F(HostilePayloadTest, InvalidUtf8IsInvalidPayload) {
  for (const std::string bad : {"\xff\xfe", "\xc3\x28", "\xed\xa0\x80", "\xf8\x88\x80\x80\x80"}) {
    std::string body = EventBody("evt_hostile_utf8", 1763802000, 10);
    body.insert(body.find("xxxxxxxxxx"), bad);
    ExpectRejected(PostSigned(body), 400, "invalid_payload");
  }
  ExpectNothingChanged();
}

TEST_F(HostilePayloadTest, DeeplyNestedJsonIsInvalidPayload) {
  std::string arrays(100000, '[');
  ExpectRejected(PostSigned(arrays), 400, "invalid_payload");
  std::string objects;
  for (int i = 0; i < 50000; ++i) objects += "{\"a\":";
  ExpectRejected(PostSigned(objects), 400, "invalid_payload");
  // Nested deep inside an otherwise valid event, closed properly.
  std::string nested = EventBody("evt_hostile_nested", 1763802000, 0);
  nested.insert(nested.rfind('}'), ",\"deep\":" + std::string(5000, '[') + std::string(5000, ']'));
  ExpectRejected(PostSigned(nested), 400, "invalid_payload");
  ExpectNothingChanged();
}

TEST_F(HostilePayloadTest, HugeNumbersInCreatedAreInvalidPayload) {
  const std::vector<std::string> huge = {"1e400", "123456789012345678901234567890", "-1e400",
                                         "1763802000.5", std::string(5000, '9')};
  for (const std::string& created : huge) {
    ExpectRejected(PostSigned(EventWithCreated("evt_hostile_huge", created)), 400,
                   "invalid_payload");
  }
  ExpectNothingChanged();
}

TEST_F(HostilePayloadTest, TenThousandV1ElementsAreRefused) {
  std::string body = EventBody("evt_hostile_v1s");
  std::string header = "t=" + std::to_string(UnixNow());
  for (int i = 0; i < 10000; ++i) header += ",v1=" + std::string(64, "0123456789abcdef"[i % 16]);
  HttpResult r = Post(body, header);
  // 10,000 elements are about 680 KB: past the header limit before the verifier sees them.
  ExpectRejected(r, 431, "headers_too_large");
  // Within the header limit: 200 wrong signatures are each checked and all fail.
  std::string fewer = "t=" + std::to_string(UnixNow());
  for (int i = 0; i < 200; ++i) fewer += ",v1=" + std::string(64, 'a');
  ExpectRejected(Post(body, fewer), 400, "signature_mismatch");
  ExpectNothingChanged();
}

TEST_F(HostilePayloadTest, ReplayedSignatureWithAnOldTimestampIsExpired) {
  std::string body = EventBody("evt_hostile_replay");
  int64_t old = UnixNow() - 301;  // just past the default tolerance of 300 s
  std::string header = stripe::SignatureHeaderFor(kSecret, old, body);
  ExpectRejected(Post(body, header), 400, "signature_expired");
  ExpectRejected(Post(body, header), 400, "signature_expired");  // and again: still refused
  ExpectRejected(Post(body, stripe::SignatureHeaderFor(kSecret, UnixNow() - 86400 * 365, body)),
                 400, "signature_expired");
  ExpectNothingChanged();
}

TEST_F(HostilePayloadTest, TamperedBodyWithAValidSignatureIsMismatch) {
  std::string body = EventBody("evt_hostile_tamper");
  std::string header = stripe::SignatureHeaderFor(kSecret, UnixNow(), body);
  std::string tampered = body;
  tampered.replace(tampered.find("invoice.paid"), 12, "invoice.void");
  ExpectRejected(Post(tampered, header), 400, "signature_mismatch");
  ExpectNothingChanged();
}

TEST_F(HostilePayloadTest, ReplayOfAnAcceptedEventIsADuplicateThatChangesNothing) {
  std::string body = EventBody("evt_hostile_dup");
  std::string header = stripe::SignatureHeaderFor(kSecret, UnixNow(), body);
  HttpResult first = Post(body, header);
  ASSERT_EQ(first.status, 200) << first.body;
  DbReader db(fx_->db_path);
  ASSERT_EQ(db.Count("id = 'evt_hostile_dup'"), 1);
  int64_t events = db.Count();
  for (int i = 0; i < 5; ++i) {
    HttpResult again = Post(body, header);
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_NE(again.body.find("\"duplicate\""), std::string::npos) << again.body;
  }
  EXPECT_EQ(db.Count(), events);
  // Let the pipeline finish with it, so no later test sees its state rows appear.
  for (int i = 0; i < 1500 && db.Count("id = 'evt_hostile_dup' AND status = 'pending'") > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(db.Count("id = 'evt_hostile_dup' AND status = 'pending'"), 0);
}

}  // namespace
}  // namespace stripehook::testing
