#pragma once

// Internal to src/http: what the listener (server.cpp) and the connections (session.cpp) share.
// Kept free of Boost.Asio/Beast includes on purpose (only src/http/*.cpp may include them), so
// the io_context is only forward-declared and a connection is handed over as a native socket.

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/message.h"
#include "http/server.h"
#include "util/thread_annotations.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace stripehook::http::internal {

// One client connection as the server sees it during shutdown. Both calls are thread-safe:
// they post to the connection's own io_context (run by one thread).
class Connection {
 public:
  virtual ~Connection() = default;
  // Closes the connection if it waits for a request; otherwise it closes after its response.
  virtual void BeginShutdown() = 0;
  // Closes at once; a pending Responder will find the connection gone and drop its response.
  virtual void ForceClose() = 0;
};

// Server-wide state. Connections hold a shared_ptr to it, so the io_context outlives them all.
class ServerCore {
 public:
  ServerCore(ServerOptions options, Handler handler, RequestObserver observer);
  virtual ~ServerCore();
  ServerCore(const ServerCore&) = delete;
  ServerCore& operator=(const ServerCore&) = delete;

  // The io_context a new connection is bound to (one per io thread, taken in turn).
  virtual boost::asio::io_context& SessionContext() = 0;

  const ServerOptions& options() const { return options_; }
  const Handler& handler() const { return handler_; }
  const RequestObserver& observer() const { return observer_; }

  // Registers a new connection; false when max_connections are open or the server is stopping.
  bool AddConnection(const std::shared_ptr<Connection>& connection) EXCLUDES(mu_);
  // Idempotent. The last removal during shutdown calls OnDrained().
  void RemoveConnection(Connection* connection) EXCLUDES(mu_);
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  // Run() has returned: responses arriving now are dropped without touching the io_context.
  bool finished() const { return finished_.load(std::memory_order_acquire); }

  // "<random prefix>-<counter>": unique per process run, cheap, short enough for SSO.
  std::string NextRequestId();

  std::atomic<int64_t> in_flight{0};

 protected:
  // Marks the server stopping and returns the connections alive at that moment.
  std::vector<std::shared_ptr<Connection>> BeginStopping() EXCLUDES(mu_);
  std::vector<std::shared_ptr<Connection>> LiveConnections() EXCLUDES(mu_);
  // Called from any thread when the last connection closes after BeginStopping().
  virtual void OnDrained() = 0;

  std::atomic<bool> finished_{false};

 private:
  const ServerOptions options_;
  const Handler handler_;
  const RequestObserver observer_;
  const std::string request_id_prefix_;
  std::atomic<uint64_t> next_request_id_{0};
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections_ GUARDED_BY(mu_);
};

// Takes ownership of an accepted socket and serves it (session.cpp). `ipv6` names its family.
void StartSession(std::shared_ptr<ServerCore> core, int native_socket, bool ipv6);

}  // namespace stripehook::http::internal
