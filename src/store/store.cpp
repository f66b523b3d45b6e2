#include "store/store.h"

#include <future>
#include <memory>
#include <utility>

namespace stripehook::store {

util::StatusOr<InsertOutcome> Store::InsertEvent(NewEvent event) {
  // shared_ptr because InsertCallback is a std::function, which must be copyable.
  auto promise = std::make_shared<std::promise<util::StatusOr<InsertOutcome>>>();
  std::future<util::StatusOr<InsertOutcome>> result = promise->get_future();
  InsertEventAsync(std::move(event), [promise](util::StatusOr<InsertOutcome> outcome) {
    promise->set_value(std::move(outcome));
  });
  return result.get();
}

// Outbox delivery: stores that do not implement it say so (see store.h).
util::StatusOr<std::vector<OutboxEntry>> Store::OpenOutbox(int64_t, int) {
  return util::UnimplementedError("OpenOutbox: not supported by this store");
}
util::Status Store::UpdateOutbox(std::vector<OutboxUpdate>) {
  return util::UnimplementedError("UpdateOutbox: not supported by this store");
}
util::StatusOr<OutboxPage> Store::ListOutbox(const OutboxFilter&) {
  return util::UnimplementedError("ListOutbox: not supported by this store");
}
util::StatusOr<OutboxEntry> Store::GetOutbox(int64_t) {
  return util::UnimplementedError("GetOutbox: not supported by this store");
}
util::StatusOr<int64_t> Store::RequeueOutbox(std::optional<int64_t>) {
  return util::UnimplementedError("RequeueOutbox: not supported by this store");
}

}  // namespace stripehook::store
