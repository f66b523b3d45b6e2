// libFuzzer target: raw bytes to a real http::Server on loopback, serving the real webhook
// ingest over a real SQLite store (router + WebhookIngest, as `serve` wires them). Each input is
// written on a fresh connection, the write side is shut, and the answer read until the server
// closes. The server lives for the whole run, so state leaks or a wedged I/O thread show up.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "http/router.h"
#include "http/server.h"
#include "ingest/webhook_ingest.h"
#include "store/sqlite/sqlite_store.h"
#include "stripe/signature.h"
#include "util/check.h"
#include "util/clock.h"
#include "util/log.h"

namespace {

using namespace stripehook;

constexpr char kSecret[] = "whsec_4b1f0c2e9d8a7b6c5d4e3f2a1b0c9d8e";

// Everything the server needs, built once per process. Torn down by an exit handler (libFuzzer
// and the standalone driver both end with exit()), so no I/O thread still runs while static
// destructors do.
struct Harness {
  util::ManualClock clock{1234567900LL * 1'000'000};
  std::unique_ptr<store::sqlite::SqliteStore> store;
  std::unique_ptr<ingest::WebhookIngest> ingest;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;

  Harness() {
    util::SetMinLogLevel(util::LogLevel::kError);
    std::string dir = (std::filesystem::temp_directory_path() /
                       ("stripehook-http-fuzz-" + std::to_string(::getpid())))
                          .string();
    std::filesystem::create_directories(dir);
    store::sqlite::SqliteOptions store_options;
    store_options.path = dir + "/inbox.db";
    store_options.clock = &clock;
    auto opened = store::sqlite::SqliteStore::Open(store_options);
    SH_CHECK(opened.ok());
    store = std::move(*opened);
    ingest = std::make_unique<ingest::WebhookIngest>(store.get(), &clock, ingest::IngestOptions{});
    ingest->Register(router, {"default", {"/webhooks/stripe"}, {kSecret}, 300});
    http::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.handle_signals = false;
    options.read_timeout = std::chrono::milliseconds(2000);
    options.header_limit = 8 * 1024;
    options.body_limit = 64 * 1024;
    auto created = http::Server::Create(options, router.AsHandler());
    SH_CHECK(created.ok());
    server = std::move(*created);
    thread = std::thread([this] { server->Run(); });
  }

  void Stop() {
    server->Stop();
    thread.join();
    store->Shutdown();
  }
};

Harness* TheHarness() {
  static Harness* harness = [] {
    // OpenSSL registers its own exit handler (which frees every thread's error state) on first
    // use. Using it now puts that handler before ours, so ours runs first and joins the I/O
    // threads while their thread-local state can still be freed (LeakSanitizer saw it leak).
    stripe::ComputeSignature(kSecret, 0, "");
    auto* made = new Harness();
    std::atexit([] { TheHarness()->Stop(); });
    return made;
  }();
  return harness;
}

[[noreturn]] void DieOnSocketError(const char* what, int error) {
  std::fprintf(stderr, "fuzz_http: %s: %s\n", what, std::strerror(error));
  std::abort();
}

// libFuzzer checks its -timeout with a periodic SIGALRM (every timeout/2 + 1 s), and its handler
// does not restart system calls: a blocking connect() then fails with EINTR while the handshake
// goes on in the kernel (one CI run aborted here after 34,917 inputs). Calling connect() again
// would fail with EALREADY, so wait for the socket to become writable and read the handshake's own
// outcome from SO_ERROR.
void Connect(int fd, const sockaddr_in& addr) {
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return;
  if (errno != EINTR) DieOnSocketError("connect", errno);
  pollfd ready{fd, POLLOUT, 0};
  int polled;
  while ((polled = ::poll(&ready, 1, 10'000)) < 0 && errno == EINTR) {
  }
  if (polled <= 0)
    DieOnSocketError("connect (waiting after EINTR)", polled == 0 ? ETIMEDOUT : errno);
  int error = 0;
  socklen_t length = sizeof error;
  SH_CHECK(::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0);
  if (error != 0) DieOnSocketError("connect (after EINTR)", error);
}

// Sends `bytes`, half-closes, and reads until EOF (or 10 s of silence). Returns what came back.
std::string Exchange(uint16_t port, const uint8_t* data, size_t size) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  SH_CHECK(fd >= 0);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  // Each exchange ends in TIME_WAIT on this side (it half-closes first) for 60 s, and at ~600
  // exchanges a second one source address ran out of its 28,000 ephemeral ports (connect failed
  // after 18,463 runs in a full `make test`). Rotating over 250 loopback source addresses gives
  // each its own ports; the port is chosen at connect (IP_BIND_ADDRESS_NO_PORT).
  static uint32_t exchanges = 0;
  sockaddr_in source{};
  source.sin_family = AF_INET;
  source.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + exchanges++ % 250);  // 127.0.0.2 on
  int one = 1;
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  SH_CHECK(::bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) == 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  Connect(fd, addr);
  size_t sent = 0;
  while (sent < size) {
    ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the server may close early (a rejected request): fine
    sent += static_cast<size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return answer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string answer = Exchange(TheHarness()->server->port(), data, size);
  // Whatever the server says is HTTP: no stray bytes before the status line.
  if (!answer.empty()) SH_CHECK(answer.rfind("HTTP/1.1 ", 0) == 0);
  return 0;
}
