#pragma once

// Outbox delivery queries (notify/): reads on any connection, writes inside a WriteTxn.
// Semantics as documented on Store (OpenOutbox, UpdateOutbox, ListOutbox, GetOutbox,
// RequeueOutbox).

#include <cstdint>
#include <optional>
#include <vector>

#include "store/outbox.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/write_txn.h"
#include "store/store.h"
#include "util/status.h"

namespace stripehook::store::sqlite {

// Open rows with after_id < seq <= up_to. kInvalidArgument when limit < 1.
util::StatusOr<std::vector<OutboxEntry>> QueryOpenOutbox(Connection& conn, int64_t after_id,
                                                         int64_t up_to, int limit);
// The highest seq in the outbox, 0 when it is empty.
util::StatusOr<int64_t> QueryLastOutboxSeq(Connection& conn);
util::StatusOr<OutboxPage> QueryOutboxPage(Connection& conn, const OutboxFilter& filter);
util::StatusOr<OutboxEntry> QueryOutboxEntry(Connection& conn, int64_t id);

util::Status UpdateOutboxInTxn(WriteTxn& txn, const std::vector<OutboxUpdate>& updates);
util::StatusOr<int64_t> RequeueOutboxInTxn(WriteTxn& txn, std::optional<int64_t> id);

}  // namespace stripehook::store::sqlite
