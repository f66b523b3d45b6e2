#pragma once

// Cache invalidation: on every access change, DEL the application's cached key for the user in
// Redis (hiredis), so the next read asks stripehook again.

#include <memory>
#include <string>

#include "notify/channel.h"

namespace stripehook::notify {

struct RedisTarget {
  // "redis://host:port[/db]" or "unix:///path/to/redis.sock".
  std::string url = "redis://127.0.0.1:6379";
  std::string key_pattern = "features:{user_id}";  // {user_id} is replaced
  int64_t timeout_ms = 2000;
};

// The key for one user: every "{user_id}" in `pattern` replaced.
std::string InvalidationKey(const std::string& pattern, const std::string& user_id);

class RedisChannel final : public Channel {
 public:
  // kInvalidArgument for a URL of another scheme or without a port.
  static util::StatusOr<std::unique_ptr<RedisChannel>> Create(RedisTarget target);
  ~RedisChannel() override;

  const std::string& name() const override { return name_; }
  // access.changed rows of a named user.
  bool Wants(const store::OutboxEntry& entry) const override;
  // kUnavailable when Redis is unreachable or answers an error; the connection is then dropped
  // and made again on the next attempt.
  util::Status Deliver(const Delivery& delivery) override;

  struct Endpoint;  // the parsed URL (redis_channel.cpp)

 private:
  RedisChannel(RedisTarget target, std::unique_ptr<Endpoint> endpoint);
  util::Status Connect();

  RedisTarget target_;
  std::unique_ptr<Endpoint> endpoint_;
  std::string name_ = "redis";
  void* context_ = nullptr;  // redisContext*, kept out of the header (hiredis is C)
};

}  // namespace stripehook::notify
