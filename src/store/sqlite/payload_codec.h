#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace stripehook::store::sqlite {

// How the SQLite store keeps event payloads: as a zstd frame compressed with a dictionary trained
// on Stripe events (payload_dictionary.zdict, scripts/train_payload_dictionary.py).
//
// Why: the writer thread is the one serial step of ingest, and most of its time per event was
// the payload's bytes: a 3.4 KB event filled a 4 KB page of its own, written to the WAL, synced,
// then copied into the database and synced again. Compressed it is ~0.6 KB (~0.8 KB for Stripe's
// pretty-printed bodies), so a page holds five or six, and the compression itself runs on the
// submitting (HTTP) thread, in parallel.
//
// The stored form is self-describing: a blob that starts with the zstd frame magic is a frame,
// anything else is the payload as received (rows written before this codec, rows inserted by
// tools, and payloads that would not shrink). A JSON text cannot start with that magic.

// The stored form of `payload`: a frame, or `payload` itself when a frame would not be smaller.
// Thread-safe.
std::string EncodePayload(std::string payload);

// The payload `stored` holds. kDataLoss when it is a frame that does not decode (corrupt, or made
// with a dictionary this binary does not have). Thread-safe.
util::StatusOr<std::string> DecodePayload(std::string_view stored);

// Whether `stored` is a compressed frame (for tests and diagnostics).
bool IsEncodedPayload(std::string_view stored);

}  // namespace stripehook::store::sqlite
