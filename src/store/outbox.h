#pragma once

// The outbox as notify/ sees it: rows written by processing (store/processing.h OutboxRow), then
// claimed, delivered per channel, retried and finally marked delivered or dead.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stripehook::store {

// "pending" (never attempted), "failed" (some channel failed; retried at next_attempt_at),
// "delivered" (every channel done), "dead" (gave up at the deadline; RequeueOutbox revives it).
enum class OutboxStatus { kPending, kFailed, kDelivered, kDead };

// The names are stored in outbox.status: never rename one without a migration.
inline constexpr std::array<std::pair<OutboxStatus, std::string_view>, 4> kOutboxStatusNames = {{
    {OutboxStatus::kPending, "pending"},
    {OutboxStatus::kFailed, "failed"},
    {OutboxStatus::kDelivered, "delivered"},
    {OutboxStatus::kDead, "dead"},
}};
inline std::string_view OutboxStatusName(OutboxStatus status) {
  for (const auto& [value, name] : kOutboxStatusNames) {
    if (value == status) return name;
  }
  return "unknown";
}
inline std::optional<OutboxStatus> ParseOutboxStatus(std::string_view name) {
  for (const auto& [value, known] : kOutboxStatusNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

// channels_done as stored by every engine: one comma-separated column (channel names never hold
// a comma).
inline std::string JoinOutboxChannels(const std::vector<std::string>& channels) {
  std::string joined;
  for (const std::string& c : channels) {
    if (!joined.empty()) joined += ',';
    joined += c;
  }
  return joined;
}
inline std::vector<std::string> SplitOutboxChannels(std::string_view joined) {
  std::vector<std::string> channels;
  while (!joined.empty()) {
    size_t comma = joined.find(',');
    channels.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return channels;
}

// One stored outbox row. `id` is the row's sequence number: unique, increasing in production
// order, stable across retries (webhook-id and Message-ID derive from it).
struct OutboxEntry {
  int64_t id = 0;
  std::string event_id;
  std::string type;
  std::string user_id;
  std::string body;  // JSON object
  OutboxStatus status = OutboxStatus::kPending;
  int attempts = 0;
  std::optional<int64_t> next_attempt_at_us;
  std::optional<std::string> last_error;
  int64_t created_at_us = 0;
  std::optional<int64_t> delivered_at_us;
  // Channels that already took this row (each is attempted until it succeeds, never again after).
  std::vector<std::string> channels_done;
};

// The new delivery state of one row after an attempt.
struct OutboxUpdate {
  int64_t id = 0;
  OutboxStatus status = OutboxStatus::kDelivered;
  int attempts = 0;
  std::optional<int64_t> next_attempt_at_us;
  std::optional<std::string> last_error;
  std::optional<int64_t> delivered_at_us;
  std::vector<std::string> channels_done;
};

// Filters for ListOutbox; unset fields do not filter. Newest first; `starting_after` is an id.
struct OutboxFilter {
  std::optional<OutboxStatus> status;
  std::optional<std::string> user_id;
  std::optional<int64_t> starting_after;
  int limit = 100;  // 1..1000
};

struct OutboxPage {
  std::vector<OutboxEntry> entries;
  bool has_more = false;
};

}  // namespace stripehook::store
