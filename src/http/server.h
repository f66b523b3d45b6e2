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
class Server {
 public:
  // Binds and listens. Errors: kUnavailable when the address cannot be bound.
  static util::StatusOr<std::unique_ptr<Server>> Create(ServerOptions options, Handler handler,
                                                        RequestObserver observer = nullptr);
  virtual ~Server() = default;

  // The bound port (useful with port 0).
  virtual uint16_t port() const = 0;
  // Serves on options.threads threads (the caller's included) until Stop() and drain.
  virtual void Run() = 0;
  // Begins graceful shutdown. Thread-safe; returns at once.
  virtual void Stop() = 0;
  // Requests being handled right now.
  virtual int64_t in_flight() const = 0;
};

}  // namespace stripehook::http
