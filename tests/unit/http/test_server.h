#pragma once

// A real Server on 127.0.0.1 port 0, running on its own thread for the length of a test.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "http/server.h"

namespace stripehook::http::testing {

class TestServer {
 public:
  explicit TestServer(ServerOptions options, Handler handler, RequestObserver observer = nullptr) {
    options.address = "127.0.0.1";
    options.port = 0;
    options.handle_signals = false;
    auto created = Server::Create(std::move(options), std::move(handler), std::move(observer));
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    if (!created.ok()) return;
    server_ = std::move(created).value();
    run_done_ = std::async(std::launch::async, [this] { server_->Run(); });
  }
  ~TestServer() {
    if (!server_) return;
    server_->Stop();
    run_done_.wait();
  }

  Server& server() { return *server_; }
  uint16_t port() const { return server_->port(); }
  // True once Run() has returned, waiting at most `timeout`.
  bool WaitForRunToReturn(std::chrono::milliseconds timeout) {
    return run_done_.wait_for(timeout) == std::future_status::ready;
  }

 private:
  std::unique_ptr<Server> server_;
  std::future<void> run_done_;
};

inline ServerOptions TestOptions() {
  ServerOptions options;
  options.threads = 2;
  options.read_timeout = std::chrono::seconds(10);
  options.idle_timeout = std::chrono::seconds(10);
  options.shutdown_grace = std::chrono::seconds(10);
  return options;
}

}  // namespace stripehook::http::testing
