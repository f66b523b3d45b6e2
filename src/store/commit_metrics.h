#pragma once

#include <chrono>
#include <cstddef>

namespace stripehook::store {

// Group-commit batch sizes and commit latency (first statement to durable COMMIT), for
// GET /metrics, by kind: an acknowledgement waits for an `insert` commit, and for any `work`
// commit (a processing commit, an admin write) that holds the writer when it arrives. Both
// stores' writers report here, so a dashboard reads the same series whichever store runs.
void ObserveCommit(bool inserts, size_t writes, std::chrono::steady_clock::duration took);

}  // namespace stripehook::store
