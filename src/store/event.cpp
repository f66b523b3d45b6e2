#include "store/event.h"

#include <array>
#include <utility>

namespace stripehook::store {
namespace {

// The names are stored in the events.status column: never rename one without a migration.
constexpr std::array<std::pair<EventStatus, std::string_view>, 6> kStatusNames = {{
    {EventStatus::kPending, "pending"},
    {EventStatus::kProcessed, "processed"},
    {EventStatus::kIgnored, "ignored"},
    {EventStatus::kStale, "stale"},
    {EventStatus::kFailed, "failed"},
    {EventStatus::kDead, "dead"},
}};

}  // namespace

std::string_view EventStatusName(EventStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "unknown";
}

std::optional<EventStatus> ParseEventStatus(std::string_view name) {
  for (const auto& [value, known] : kStatusNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

}  // namespace stripehook::store
