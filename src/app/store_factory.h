#pragma once

#include <memory>

#include "app/config.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/status.h"

namespace stripehook::app {

// Opens the store named by config.database.url (sqlite://… today; postgresql://… with the
// PostgreSQL issue) and applies pending migrations. kInvalidArgument for an unsupported URL,
// kUnavailable when the database cannot be opened.
util::StatusOr<std::unique_ptr<store::Store>> OpenStore(const Config& config,
                                                        const util::Clock* clock);

// Applies migrations only (`stripehook migrate`).
util::Status MigrateStore(const Config& config);

}  // namespace stripehook::app
