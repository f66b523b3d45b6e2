#include "stripe/envelope_scanner.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/parse_options.hpp>

#include <array>

namespace stripehook::stripe::internal {
namespace {

namespace json = boost::json;
using ErrorCode = json::error_code;

// Where an object sits in the event: only these three levels hold members we read.
enum class Context : unsigned char { kOther, kTop, kData, kDataObject };

// Event handler for boost::json::basic_parser. It keeps only the members EnvelopeScan names, so
// a typical 3 KB event is checked without building a DOM (one hash table per object).
class EnvelopeHandler {
 public:
  static constexpr size_t max_array_size = static_cast<size_t>(-1);
  static constexpr size_t max_object_size = static_cast<size_t>(-1);
  static constexpr size_t max_string_size = static_cast<size_t>(-1);
  static constexpr size_t max_key_size = static_cast<size_t>(-1);

  explicit EnvelopeHandler(EnvelopeScan& out) : out_(out) {}

  bool on_document_begin(ErrorCode&) { return true; }
  bool on_document_end(ErrorCode&) { return true; }
  bool on_object_begin(ErrorCode& ec) {
    if (depth_ == 0) out_.top_is_object = true;
    return Push(ChildContext(), JsonKind::kObject, ec);
  }
  bool on_object_end(size_t, ErrorCode&) { return Pop(); }
  bool on_array_begin(ErrorCode& ec) { return Push(Context::kOther, JsonKind::kArray, ec); }
  bool on_array_end(size_t, ErrorCode&) { return Pop(); }
  bool on_key_part(json::string_view s, size_t, ErrorCode&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, size_t, ErrorCode&) {
    std::string_view key(s.data(), s.size());
    if (!key_.empty()) key = key_.append(key);
    Select(key);
    key_.clear();
    return true;
  }
  bool on_string_part(json::string_view s, size_t, ErrorCode&) {
    if (target_ != nullptr) target_->text.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, size_t, ErrorCode&) {
    if (target_ != nullptr) target_->text.append(s.data(), s.size());
    return Scalar(JsonKind::kString);
  }
  bool on_number_part(json::string_view, ErrorCode&) { return true; }
  bool on_int64(int64_t v, json::string_view, ErrorCode&) {
    if (target_ != nullptr) target_->integer = v;
    return Scalar(JsonKind::kInteger);
  }
  bool on_uint64(uint64_t, json::string_view, ErrorCode&) { return Scalar(JsonKind::kBigInteger); }
  bool on_double(double, json::string_view, ErrorCode&) { return Scalar(JsonKind::kFloat); }
  bool on_bool(bool v, ErrorCode&) {
    if (target_ != nullptr) target_->boolean = v;
    return Scalar(JsonKind::kBool);
  }
  bool on_null(ErrorCode&) { return Scalar(JsonKind::kNull); }
  bool on_comment_part(json::string_view, ErrorCode&) { return true; }
  bool on_comment(json::string_view, ErrorCode&) { return true; }

 private:
  Context ChildContext() const {
    if (depth_ == 0) return Context::kTop;
    if (target_ == &out_.data) return Context::kData;
    if (target_ == &out_.data_object) return Context::kDataObject;
    return Context::kOther;
  }

  bool Push(Context context, JsonKind kind, ErrorCode& ec) {
    if (depth_ >= contexts_.size()) {  // the parser's max_depth stops us long before this
      ec = json::error::too_deep;
      return false;
    }
    if (target_ != nullptr) target_->kind = kind;
    target_ = nullptr;
    contexts_[depth_++] = context;
    return true;
  }

  bool Pop() {
    --depth_;
    target_ = nullptr;
    return true;
  }

  bool Scalar(JsonKind kind) {
    if (target_ != nullptr) target_->kind = kind;
    target_ = nullptr;
    return true;
  }

  void Select(std::string_view key) {
    target_ = Lookup(contexts_[depth_ - 1], key);
    if (target_ != nullptr) *target_ = ScannedField();  // a duplicate key: the last one wins
  }

  ScannedField* Lookup(Context context, std::string_view key) {
    switch (context) {
      case Context::kTop:
        if (key == "id") return &out_.id;
        if (key == "object") return &out_.object;
        if (key == "type") return &out_.type;
        if (key == "created") return &out_.created;
        if (key == "livemode") return &out_.livemode;
        if (key == "api_version") return &out_.api_version;
        if (key == "account") return &out_.account;
        if (key == "data") return &out_.data;
        return nullptr;
      case Context::kData:
        return key == "object" ? &out_.data_object : nullptr;
      case Context::kDataObject:
        if (key == "id") return &out_.object_id;
        if (key == "object") return &out_.object_type;
        return nullptr;
      case Context::kOther:
        return nullptr;
    }
    return nullptr;
  }

  EnvelopeScan& out_;
  std::array<Context, 128> contexts_{};
  size_t depth_ = 0;
  ScannedField* target_ = nullptr;  // the member whose value comes next, if we keep it
  std::string key_;                 // a key that arrived in parts (only with escapes)
};

}  // namespace

boost::system::error_code ScanEnvelope(std::string_view body, size_t max_depth, EnvelopeScan& out) {
  json::parse_options options;
  options.max_depth = max_depth;
  json::basic_parser<EnvelopeHandler> parser(options, out);
  ErrorCode ec;
  size_t consumed = parser.write_some(false, body.data(), body.size(), ec);
  // write_some stops after the first complete value; anything left is not one JSON document.
  if (!ec && consumed != body.size()) ec = json::error::extra_data;
  return ec;
}

}  // namespace stripehook::stripe::internal
