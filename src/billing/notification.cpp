#include "billing/apply_internal.h"

namespace stripehook::billing::internal {

Notification MakeNotification(std::string type, boost::json::object body) {
  return Notification{std::move(type), "", std::move(body)};
}

}  // namespace stripehook::billing::internal
