#include "http/route_table.h"

namespace stripehook::http {
namespace {

std::string_view WithoutLeadingSlash(std::string_view path) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return path;
}

// Splits "/a/b" into {"a","b"}; "/" and "" give no segments.
std::vector<std::string> SplitPattern(std::string_view pattern) {
  std::vector<std::string> segments;
  pattern = WithoutLeadingSlash(pattern);
  if (pattern.empty()) return segments;
  for (;;) {
    size_t slash = pattern.find('/');
    segments.emplace_back(pattern.substr(0, slash));
    if (slash == std::string_view::npos) break;
    pattern.remove_prefix(slash + 1);
  }
  return segments;
}

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

size_t RouteTable::Add(std::string_view pattern) {
  Entry p;
  p.segments = SplitPattern(pattern);
  for (const std::string& segment : p.segments) {
    p.text += '/';
    p.text += segment;
  }
  if (p.text.empty()) p.text.push_back('/');
  const size_t index = patterns_.size();
  const bool open = p.segments.empty() || IsParam(p.segments.front()) || p.segments.front() == "*";
  if (open) {
    open_first_segment_.push_back(index);
  } else {
    by_first_segment_[p.segments.front()].push_back(index);
  }
  patterns_.push_back(std::move(p));
  return index;
}

const std::vector<size_t>& RouteTable::Bucket(std::string_view path) const {
  static const std::vector<size_t> kNone;
  path = WithoutLeadingSlash(path);
  auto it = by_first_segment_.find(path.substr(0, path.find('/')));
  return it == by_first_segment_.end() ? kNone : it->second;
}

size_t RouteTable::FirstMatch(std::string_view path) const {
  size_t first = size();
  ForEachMatch(path, [&](size_t index) {
    first = index;
    return true;
  });
  return first;
}

void RouteTable::Params(size_t index, std::string_view path,
                        std::vector<std::pair<std::string, std::string>>& params) const {
  Matches(index, path, &params);
}

// Walks `path` against the pattern's segments without allocating; on a match, appends the
// `{name}` values (and "*" for a trailing wildcard) to `params` when it is not null.
bool RouteTable::Matches(size_t index, std::string_view path,
                         std::vector<std::pair<std::string, std::string>>* params) const {
  const std::vector<std::string>& segments = patterns_[index].segments;
  path = WithoutLeadingSlash(path);
  bool path_done = path.empty();
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& segment = segments[i];
    if (segment == "*" && i + 1 == segments.size()) {
      if (params != nullptr) params->emplace_back("*", path_done ? "" : std::string(path));
      return true;
    }
    if (path_done) return false;
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    path_done = slash == std::string_view::npos;
    path = path_done ? std::string_view() : path.substr(slash + 1);
    if (IsParam(segment)) {
      if (part.empty()) return false;
      if (params != nullptr) {
        params->emplace_back(segment.substr(1, segment.size() - 2), std::string(part));
      }
    } else if (part != segment) {
      return false;
    }
  }
  return path_done;
}

}  // namespace stripehook::http
