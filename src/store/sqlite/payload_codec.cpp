#include "store/sqlite/payload_codec.h"

#include <endian.h>
#include <zstd.h>

#include <cstdint>
#include <cstring>
#include <memory>

#include "util/check.h"

namespace stripehook::store::sqlite {

// payload_dictionary_data.cpp, generated from payload_dictionary.zdict at configure time.
extern const unsigned char kPayloadDictionary[];
extern const size_t kPayloadDictionarySize;

namespace {

// zstd's default: a level-3 frame with the dictionary costs about what level 1 does (the
// dictionary primes the match finder) and is ~10 % smaller.
constexpr int kLevel = 3;
// A decoded payload is an HTTP body, which the server caps at 1 MiB by default; anything far
// larger is a corrupt frame header, not a payload, and must not size an allocation.
constexpr unsigned long long kMaxDecodedBytes = 256ull << 20;

struct Dictionaries {
  ZSTD_CDict* compress;
  ZSTD_DDict* decompress;
  unsigned id;
};

const Dictionaries& Dicts() {
  // Built once, never freed: the contexts of every thread use them until the process exits.
  static const Dictionaries dicts = [] {
    Dictionaries d{};
    d.compress = ZSTD_createCDict(kPayloadDictionary, kPayloadDictionarySize, kLevel);
    d.decompress = ZSTD_createDDict(kPayloadDictionary, kPayloadDictionarySize);
    d.id = ZSTD_getDictID_fromDict(kPayloadDictionary, kPayloadDictionarySize);
    SH_CHECK(d.compress != nullptr && d.decompress != nullptr && d.id != 0);
    return d;
  }();
  return dicts;
}

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

std::unique_ptr<ZSTD_CCtx, CCtxDeleter> NewCCtx() {
  std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  SH_CHECK(cctx != nullptr);
  // Sticky for every frame this context makes. The content size (written by ZSTD_compress2) lets
  // the reader allocate once; the checksum turns a damaged row into an error instead of a
  // different payload.
  SH_CHECK(!ZSTD_isError(ZSTD_CCtx_refCDict(cctx.get(), Dicts().compress)));
  SH_CHECK(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1)));
  return cctx;
}

// One context per thread, reused: creating one per payload costs more than compressing it.
ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx = NewCCtx();
  return cctx.get();
}

ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx(ZSTD_createDCtx());
  SH_CHECK(dctx != nullptr);
  return dctx.get();
}

}  // namespace

bool IsEncodedPayload(std::string_view stored) {
  uint32_t magic = 0;  // a frame starts with ZSTD_MAGICNUMBER, little-endian
  if (stored.size() < sizeof magic) return false;
  std::memcpy(&magic, stored.data(), sizeof magic);
  return le32toh(magic) == ZSTD_MAGICNUMBER;
}

std::string EncodePayload(std::string payload) {
  // Compressed into a per-thread scratch buffer, so the stored form is allocated at its own size
  // rather than at the compression bound: it waits in the writer's queue until its commit.
  thread_local std::string scratch;
  scratch.resize(ZSTD_compressBound(payload.size()));
  size_t n =
      ZSTD_compress2(ThreadCCtx(), scratch.data(), scratch.size(), payload.data(), payload.size());
  // Not shrinking is possible (tiny or random bodies); the payload as received is then stored.
  if (ZSTD_isError(n) || n >= payload.size()) return payload;
  return scratch.substr(0, n);
}

util::StatusOr<std::string> DecodePayload(std::string_view stored) {
  if (!IsEncodedPayload(stored)) return std::string(stored);
  const Dictionaries& dicts = Dicts();
  const unsigned id = ZSTD_getDictID_fromFrame(stored.data(), stored.size());
  if (id != dicts.id) {
    return util::DataLossError("stored payload was compressed with dictionary " +
                               std::to_string(id) + ", this binary has " +
                               std::to_string(dicts.id));
  }
  const unsigned long long size = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR ||
      size > kMaxDecodedBytes) {
    return util::DataLossError("stored payload has a damaged frame header");
  }
  std::string out(static_cast<size_t>(size), '\0');
  size_t n = ZSTD_decompress_usingDDict(ThreadDCtx(), out.data(), out.size(), stored.data(),
                                        stored.size(), dicts.decompress);
  if (ZSTD_isError(n)) {
    return util::DataLossError(std::string("stored payload does not decompress: ") +
                               ZSTD_getErrorName(n));
  }
  if (n != out.size()) return util::DataLossError("stored payload decompressed to a wrong size");
  return out;
}

}  // namespace stripehook::store::sqlite
