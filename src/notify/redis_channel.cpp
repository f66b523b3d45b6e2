#include "notify/redis_channel.h"

#include <hiredis/hiredis.h>

#include <cstdlib>

namespace stripehook::notify {

struct RedisChannel::Endpoint {
  std::string unix_path;  // set for unix://
  std::string host;
  int port = 0;
  int db = 0;
};

namespace {

util::StatusOr<std::unique_ptr<RedisChannel::Endpoint>> ParseRedisUrl(const std::string& url) {
  auto endpoint = std::make_unique<RedisChannel::Endpoint>();
  constexpr std::string_view kUnix = "unix://", kTcp = "redis://";
  std::string_view rest = url;
  if (rest.substr(0, kUnix.size()) == kUnix) {
    endpoint->unix_path = std::string(rest.substr(kUnix.size()));
    if (endpoint->unix_path.empty()) return util::InvalidArgumentError("redis url: no path");
    return endpoint;
  }
  if (rest.substr(0, kTcp.size()) != kTcp) {
    return util::InvalidArgumentError("redis url must start with redis:// or unix://");
  }
  rest.remove_prefix(kTcp.size());
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    endpoint->db = std::atoi(std::string(rest.substr(slash + 1)).c_str());
    rest = rest.substr(0, slash);
  }
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == rest.size()) {
    return util::InvalidArgumentError("redis url: expected redis://host:port");
  }
  endpoint->host = std::string(rest.substr(0, colon));
  endpoint->port = std::atoi(std::string(rest.substr(colon + 1)).c_str());
  if (endpoint->port <= 0 || endpoint->port > 65535) {
    return util::InvalidArgumentError("redis url: bad port");
  }
  return endpoint;
}

redisContext* Ctx(void* p) { return static_cast<redisContext*>(p); }

}  // namespace

std::string InvalidationKey(const std::string& pattern, const std::string& user_id) {
  constexpr std::string_view kPlaceholder = "{user_id}";
  std::string key;
  size_t from = 0;
  for (size_t at; (at = pattern.find(kPlaceholder, from)) != std::string::npos;) {
    key.append(pattern, from, at - from).append(user_id);
    from = at + kPlaceholder.size();
  }
  return key.append(pattern, from);
}

util::StatusOr<std::unique_ptr<RedisChannel>> RedisChannel::Create(RedisTarget target) {
  SH_ASSIGN_OR_RETURN(std::unique_ptr<Endpoint> endpoint, ParseRedisUrl(target.url));
  return std::unique_ptr<RedisChannel>(new RedisChannel(std::move(target), std::move(endpoint)));
}

RedisChannel::RedisChannel(RedisTarget target, std::unique_ptr<Endpoint> endpoint)
    : target_(std::move(target)), endpoint_(std::move(endpoint)) {}

RedisChannel::~RedisChannel() {
  if (context_ != nullptr) redisFree(Ctx(context_));
}

bool RedisChannel::Wants(const store::OutboxEntry& entry) const {
  return entry.type == "access.changed" && !entry.user_id.empty();
}

util::Status RedisChannel::Connect() {
  timeval timeout{target_.timeout_ms / 1000, static_cast<long>(target_.timeout_ms % 1000) * 1000};
  redisContext* c = endpoint_->unix_path.empty()
                        ? redisConnectWithTimeout(endpoint_->host.c_str(), endpoint_->port, timeout)
                        : redisConnectUnixWithTimeout(endpoint_->unix_path.c_str(), timeout);
  if (c == nullptr) return util::UnavailableError("redis: out of memory");
  if (c->err != 0) {
    std::string error = c->errstr;
    redisFree(c);
    return util::UnavailableError("redis connect: " + error);
  }
  redisSetTimeout(c, timeout);
  context_ = c;
  if (endpoint_->db != 0) {
    auto* reply = static_cast<redisReply*>(redisCommand(c, "SELECT %d", endpoint_->db));
    bool ok = reply != nullptr && reply->type != REDIS_REPLY_ERROR;
    if (reply != nullptr) freeReplyObject(reply);
    if (!ok) {
      redisFree(c);
      context_ = nullptr;
      return util::UnavailableError("redis: SELECT failed");
    }
  }
  return util::OkStatus();
}

util::Status RedisChannel::Deliver(const Delivery& delivery) {
  if (context_ == nullptr) SH_RETURN_IF_ERROR(Connect());
  std::string key = InvalidationKey(target_.key_pattern, delivery.entry.user_id);
  auto* reply = static_cast<redisReply*>(
      redisCommand(Ctx(context_), "DEL %b", key.data(), static_cast<size_t>(key.size())));
  if (reply != nullptr && reply->type != REDIS_REPLY_ERROR) {
    freeReplyObject(reply);
    return util::OkStatus();
  }
  std::string error =
      reply != nullptr ? std::string(reply->str, reply->len) : std::string(Ctx(context_)->errstr);
  if (reply != nullptr) freeReplyObject(reply);
  // Any failure may have left the connection unusable: start afresh next time.
  redisFree(Ctx(context_));
  context_ = nullptr;
  return util::UnavailableError("redis DEL " + key + ": " + error);
}

}  // namespace stripehook::notify
