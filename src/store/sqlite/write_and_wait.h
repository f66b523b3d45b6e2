#pragma once

#include <future>
#include <memory>
#include <utility>

#include "store/sqlite/write_txn.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

// Submits `work` to `store`'s writer (anything with SubmitWrite(WriteWork, WriteDone)) and blocks
// until it is durable or failed. Must not run on the writer thread (it would wait on itself).
// `work` may fill a result the caller reads after this returns: the future orders the writes.
template <typename Writer>
util::Status SubmitAndWait(Writer& store, WriteWork work) {
  // shared_ptr because WriteDone is a std::function, which must be copyable.
  auto promise = std::make_shared<std::promise<util::Status>>();
  std::future<util::Status> result = promise->get_future();
  store.SubmitWrite(std::move(work),
                    [promise](util::Status status) { promise->set_value(std::move(status)); });
  return result.get();
}

}  // namespace stripehook::store::sqlite
