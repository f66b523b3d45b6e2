// Default bodies of the admin and cluster store methods: stores that do not implement them say
// so; a single-instance store is always the leader.
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

util::StatusOr<ClusterRound> Store::ProcessDueInCluster(int64_t, int, int64_t, const ClusterWork&) {
  return util::UnimplementedError("ProcessDueInCluster: not supported by this store");
}
util::StatusOr<std::vector<RecordChange>> Store::RecordChangesSince(int64_t, int) {
  return util::UnimplementedError("RecordChangesSince: not supported by this store");
}
util::StatusOr<int64_t> Store::LatestRecordRev() {
  return util::UnimplementedError("LatestRecordRev: not supported by this store");
}
util::StatusOr<bool> Store::HoldLeadership(std::string_view) { return true; }

}  // namespace stripehook::store
