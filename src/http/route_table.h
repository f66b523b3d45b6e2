#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace stripehook::http {

// Path patterns and the paths they match, shared by Router and the request metrics so that both
// agree on which pattern a path belongs to. A pattern is literal segments and `{name}` segments
// (one path segment each, not empty); a trailing `*` segment matches the rest of the path.
//
// Patterns are bucketed by their first segment, so a path is tried only against the patterns
// that start as it does: GET /v1/access walked all ~50 patterns, once in the router and once in
// the metrics, a fifth of its instructions. Built before use; then thread-safe (read-only).
class RouteTable {
 public:
  // Adds `pattern` and returns its index: patterns are numbered in the order added.
  size_t Add(std::string_view pattern);
  size_t size() const { return patterns_.size(); }
  // The pattern as added, normalised to start with "/" ("/" for no segments).
  const std::string& Pattern(size_t index) const { return patterns_[index].text; }

  // Calls `visit(index)` for every pattern matching `path`, in the order added, until it returns
  // true.
  template <typename Visit>
  void ForEachMatch(std::string_view path, Visit&& visit) const;
  // The first pattern matching `path`, or size() when none does.
  size_t FirstMatch(std::string_view path) const;
  // The `{name}` values of pattern `index` in `path` (which it matches), and "*" for a trailing
  // wildcard, appended to `params`.
  void Params(size_t index, std::string_view path,
              std::vector<std::pair<std::string, std::string>>& params) const;

 private:
  struct Entry {
    std::string text;
    std::vector<std::string> segments;
  };
  bool Matches(size_t index, std::string_view path,
               std::vector<std::pair<std::string, std::string>>* params) const;
  // Candidates for `path`: the bucket of its first segment and the patterns whose first segment
  // is not literal, both in index order.
  const std::vector<size_t>& Bucket(std::string_view path) const;

  // Looks std::string keys up by std::string_view, without a copy.
  struct SegmentHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  std::vector<Entry> patterns_;
  std::unordered_map<std::string, std::vector<size_t>, SegmentHash, std::equal_to<>>
      by_first_segment_;
  std::vector<size_t> open_first_segment_;  // `{name}`, `*` or no segment at all
};

template <typename Visit>
void RouteTable::ForEachMatch(std::string_view path, Visit&& visit) const {
  // Merge the two index-ordered candidate lists, so that the order added is kept.
  const std::vector<size_t>& bucket = Bucket(path);
  size_t b = 0, o = 0;
  while (b < bucket.size() || o < open_first_segment_.size()) {
    const bool take_bucket = o == open_first_segment_.size() ||
                             (b < bucket.size() && bucket[b] < open_first_segment_[o]);
    const size_t index = take_bucket ? bucket[b++] : open_first_segment_[o++];
    if (Matches(index, path, nullptr) && visit(index)) return;
  }
}

}  // namespace stripehook::http
