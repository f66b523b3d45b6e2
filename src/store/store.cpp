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

}  // namespace stripehook::store
