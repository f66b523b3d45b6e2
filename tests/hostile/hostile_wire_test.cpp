// Hostile clients on the wire against a real `stripehook serve`: slowloris headers and bodies,
// oversized and malformed headers, pipelined garbage. Each is cut or answered with a clear 4xx,
// the server keeps serving others, and no table changes.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "hostile/hostile_harness.h"

namespace stripehook::testing {
namespace {

class HostileWireTest : public HostileServerTest {
 protected:
  // A short read timeout so slow clients are cut quickly; the default header limit (16 KiB).
  static void SetUpTestSuite() { StartServer("[server]\nread_timeout_ms = 500\n"); }

  // Sends `head` whole, then `trickle` one byte at a time, 50 ms apart, while checking that
  // another client is served. True when the server closed the slow connection before the
  // trickle ended (it is long enough to outlast the read timeout many times over).
  bool TrickleIsCut(const std::string& head, const std::string& trickle) {
    HttpClient slow(port());
    if (!slow.Connect() || !slow.SendAll(head)) return false;
    for (size_t i = 0; i < trickle.size(); ++i) {
      if (!slow.SendAll(trickle.substr(i, 1))) return true;
      if (i % 20 == 0) ExpectStillServing();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    timeval timeout{30, 0};
    ::setsockopt(slow.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    return slow.PeerClosed();  // cut while we paused on the last byte, or never
  }
};

TEST_F(HostileWireTest, SlowlorisHeadersAreCutWhileOthersAreServed) {
  std::string trickle;
  for (int i = 0; i < 40; ++i) trickle += "X-Slow-" + std::to_string(i) + ": a\r\n";
  EXPECT_TRUE(TrickleIsCut("POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\n", trickle));
  ExpectStillServing();
  ExpectNothingChanged();
}

TEST_F(HostileWireTest, SlowBodyIsCutWhileOthersAreServed) {
  std::string body = EventBody("evt_hostile_slow_body", 1763802000, 600);
  std::string head =
      "POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Stripe-Signature: " +
      stripe::SignatureHeaderFor(kSecret, UnixNow(), body) +
      "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  EXPECT_TRUE(TrickleIsCut(head, body));
  ExpectStillServing();
  ExpectNothingChanged();
}

TEST_F(HostileWireTest, OversizedHeadersAre431) {
  std::string one_big =
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 2000; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  many += "\r\n";
  for (const std::string& request : {one_big, many}) {
    std::string raw = RawExchange(port(), request);
    EXPECT_EQ(Statuses(raw), std::vector<int>{431}) << raw.substr(0, 300);
    EXPECT_EQ(ErrorCode(raw), "headers_too_large") << raw.substr(0, 300);
  }
  ExpectStillServing();
  ExpectNothingChanged();
}

TEST_F(HostileWireTest, MalformedRequestsAre400) {
  using namespace std::string_literals;  // "..."s keeps the NUL bytes
  const std::string cases[] = {
      "POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nHeader Without Colon\r\n\r\n",
      "POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n",
      "POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Length: "
      "99999999999999999999999\r\n\r\n",
      "POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Nul: a\0b\r\n\r\n"s,
      "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
      "GET healthz HTTP/1.1\r\nHost: x\r\n\r\n",
      "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n"s,
  };
  for (const std::string& request : cases) {
    std::string raw = RawExchange(port(), request);
    std::vector<int> statuses = Statuses(raw);
    ASSERT_EQ(statuses.size(), 1u) << request << "\n-> " << raw;
    EXPECT_EQ(statuses[0], 400) << request << "\n-> " << raw;
    EXPECT_EQ(ErrorCode(raw), "bad_request") << request << "\n-> " << raw;
  }
  ExpectStillServing();
  ExpectNothingChanged();
}

TEST_F(HostileWireTest, PipelinedGarbageAfterAGoodRequestIs400AndCloses) {
  std::string good = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string raw = RawExchange(port(), good + good + "\x01\x02garbage \xff\xfe\r\n\r\n" + good);
  // Both good requests are answered in order, the garbage gets 400 and the connection closes, so
  // the request after it is never read.
  EXPECT_EQ(Statuses(raw), (std::vector<int>{200, 200, 400})) << raw;
  ExpectStillServing();
  ExpectNothingChanged();
}

TEST_F(HostileWireTest, BodyOverTheLimitIs413WithoutReadingIt) {
  std::string head = "POST /webhooks/stripe HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                     std::to_string(64 * 1024 * 1024) + "\r\n\r\n";
  std::string raw = RawExchange(port(), head + std::string(4096, '{'), false);
  EXPECT_EQ(Statuses(raw), std::vector<int>{413}) << raw;
  EXPECT_EQ(ErrorCode(raw), "payload_too_large") << raw;
  ExpectStillServing();
  ExpectNothingChanged();
}

}  // namespace
}  // namespace stripehook::testing
