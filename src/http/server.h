#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/message.h"
#include "util/status.h"

namespace stripehook::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port; see Server::port()
  int threads = 2;
  size_t header_limit = 16 * 1024;                   // bytes; past it → 431
  size_t body_limit = 1024 * 1024;                   // bytes; past it → 413 payload_too_large
  std::chrono::milliseconds read_timeout{10'000};    // whole request, first byte to last
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  std::chrono::milliseconds shutdown_grace{30'000};  // in-flight work allowed after Stop()
  size_t max_connections = 10'000;
  bool handle_signals = true;  // SIGTERM/SIGINT → graceful Stop()
};

// Callback for per-request observation (metrics, access log): route-independent facts.
struct RequestRecord {
  std::string_view method;
  std::string_view path;
  int status;
  double seconds;
};
using RequestObserver = std::function<void(const RequestRecord&)>;

// HTTP/1.1 server on Boost.Beast: keep-alive, header/body limits, read and idle timeouts, a
// fresh parser per request, and graceful shutdown (stop accepting, let in-flight requests and
// the commits they wait on finish, close idle connections, return from Run()).
//
// Behaviour on the wire:
// - One request at a time per connection; pipelined requests are answered in order.
// - Every response carries Content-Type, Content-Length (except 1xx/204/304) and X-Request-Id
//   (the client's, if 1..128 visible ASCII characters, else generated); `Connection: close` when
//   the server closes after it (client asked, Response::close_connection, error, or shutdown).
// - Rejected before the handler, then closed: body over body_limit → 413 `payload_too_large`,
//   headers over header_limit → 431 `headers_too_large`, unparsable request or a target that is
//   not "/..." or "http(s)://host/..." → 400 `bad_request`; all with the JSON error body.
// - `Expect: 100-continue` is answered with 100 before the body is read.
// - A request must arrive completely within read_timeout of its first byte, and a response be
//   taken by the client within read_timeout too; otherwise the connection is dropped silently.
//   A connection waiting for its next request is closed after idle_timeout.
// - Past max_connections a new connection is accepted and closed at once.
// - The handler runs on an I/O thread; its Responder may be called from any thread, later. A
//   Responder called twice, or after its connection closed, drops the response. A handler that
//   throws is logged and answered 500 `internal`.
// - The observer is called on an I/O thread once per response written (rejections included),
//   with `seconds` from the end of reading the request to the end of writing the response.
class Server {
 public:
  // Binds and listens. Errors: kUnavailable when the address cannot be bound.
  static util::StatusOr<std::unique_ptr<Server>> Create(ServerOptions options, Handler handler,
                                                        RequestObserver observer = nullptr);
  virtual ~Server() = default;

  // The bound port (useful with port 0).
  virtual uint16_t port() const = 0;
  // Serves on options.threads threads (the caller's included) until Stop() and drain. Call once.
  // With handle_signals, SIGTERM/SIGINT call Stop(). The Server must not be destroyed while Run()
  // is running.
  virtual void Run() = 0;
  // Begins graceful shutdown: stops accepting (new connections are refused), closes connections
  // waiting for a request, lets requests being read or handled finish (their responses carry
  // `Connection: close`), force-closes whatever is left after shutdown_grace; then Run() returns
  // in every thread. Thread-safe, idempotent, callable before Run(); returns at once.
  virtual void Stop() = 0;
  // Requests being handled right now.
  virtual int64_t in_flight() const = 0;
};

}  // namespace stripehook::http
