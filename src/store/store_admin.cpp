// Default bodies of the admin store methods: stores that do not implement them say so.
#include "store/store.h"

namespace stripehook::store {

util::StatusOr<EventPage> Store::ListEventsForAdmin(const AdminEventFilter&) {
  return util::UnimplementedError("ListEventsForAdmin: not supported by this store");
}
util::StatusOr<EventWindowStats> Store::StatsSince(int64_t) {
  return util::UnimplementedError("StatsSince: not supported by this store");
}
util::StatusOr<InboxBacklog> Store::Backlog() {
  return util::UnimplementedError("Backlog: not supported by this store");
}
util::StatusOr<std::optional<StoredEvent>> Store::LatestEventForObject(std::string_view) {
  return util::UnimplementedError("LatestEventForObject: not supported by this store");
}
util::StatusOr<int64_t> Store::CleanupEvents(int64_t, const std::set<std::string>&) {
  return util::UnimplementedError("CleanupEvents: not supported by this store");
}

}  // namespace stripehook::store
