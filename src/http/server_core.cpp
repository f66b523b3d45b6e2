#include "http/server_core.h"

#include <charconv>
#include <random>

namespace stripehook::http::internal {
namespace {

std::string RandomPrefix() {
  std::random_device device;
  uint32_t value = device();
  char text[9];
  auto result = std::to_chars(text, text + 8, value, 16);
  return std::string(text, result.ptr);
}

}  // namespace

ServerCore::ServerCore(ServerOptions options, Handler handler, RequestObserver observer)
    : options_(std::move(options)),
      handler_(std::move(handler)),
      observer_(std::move(observer)),
      request_id_prefix_(RandomPrefix()) {}

ServerCore::~ServerCore() = default;

bool ServerCore::AddConnection(const std::shared_ptr<Connection>& connection) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping() || connections_.size() >= options_.max_connections) return false;
  connections_.emplace(connection.get(), connection);
  return true;
}

void ServerCore::RemoveConnection(Connection* connection) {
  bool drained = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (connections_.erase(connection) == 0) return;
    drained = connections_.empty() && stopping();
  }
  if (drained) OnDrained();
}

std::string ServerCore::NextRequestId() {
  uint64_t n = next_request_id_.fetch_add(1, std::memory_order_relaxed);
  char text[40];
  char* end = std::copy(request_id_prefix_.begin(), request_id_prefix_.end(), text);
  *end++ = '-';
  end = std::to_chars(end, text + sizeof(text), n, 16).ptr;
  return std::string(text, end);
}

std::vector<std::shared_ptr<Connection>> ServerCore::BeginStopping() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_.store(true, std::memory_order_release);
  std::vector<std::shared_ptr<Connection>> live;
  for (auto& [raw, weak] : connections_) {
    if (auto strong = weak.lock()) live.push_back(std::move(strong));
  }
  return live;
}

std::vector<std::shared_ptr<Connection>> ServerCore::LiveConnections() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Connection>> live;
  for (auto& [raw, weak] : connections_) {
    if (auto strong = weak.lock()) live.push_back(std::move(strong));
  }
  return live;
}

}  // namespace stripehook::http::internal
