#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/processing.h"
#include "store/sqlite/write_txn.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

// Writer-side work of the processing API, run inside a WriteTxn (its own savepoint in the batch
// transaction), so a non-OK result undoes everything the call wrote. Semantics as documented on
// Store::CommitProcessing and Store::RequeueEvents.

// kNotFound when a status update names an event that is not stored.
// `last_outbox_seq` (optional) receives the seq of the last outbox row written, when any.
util::Status ApplyProcessingCommit(WriteTxn& txn, const ProcessingCommit& commit,
                                   int64_t* last_outbox_seq = nullptr);

// Returns how many events went back to 'pending'.
util::StatusOr<int64_t> RequeueInTxn(WriteTxn& txn, const std::optional<std::string>& id);

}  // namespace stripehook::store::sqlite
