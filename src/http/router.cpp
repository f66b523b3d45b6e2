#include "http/router.h"

#include <utility>

namespace stripehook::http {
namespace {

// Splits "/a/b" into {"a","b"}; "/" and "" give no segments.
std::vector<std::string> SplitPattern(std::string_view pattern) {
  std::vector<std::string> segments;
  if (!pattern.empty() && pattern.front() == '/') pattern.remove_prefix(1);
  if (pattern.empty()) return segments;
  for (;;) {
    size_t slash = pattern.find('/');
    segments.emplace_back(pattern.substr(0, slash));
    if (slash == std::string_view::npos) break;
    pattern.remove_prefix(slash + 1);
  }
  return segments;
}

// Walks `path` against `segments` without allocating; on a match, appends the `{name}` values
// (and "*" for a trailing wildcard) to `params` when it is not null.
bool Match(const std::vector<std::string>& segments, std::string_view path,
           std::vector<std::pair<std::string, std::string>>* params) {
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
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
    bool is_param = segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
    if (is_param) {
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

}  // namespace

void Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  routes_.push_back(Route{std::string(method), SplitPattern(pattern), std::move(handler)});
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> routes;
  for (const Route& route : routes_) {
    std::string pattern;
    for (const std::string& segment : route.segments) pattern += "/" + segment;
    routes.emplace_back(route.method, pattern.empty() ? "/" : pattern);
  }
  return routes;
}

void Router::Dispatch(Request&& request, Responder respond) const {
  const Route* found = nullptr;
  std::string allowed;
  for (const Route& route : routes_) {
    if (!Match(route.segments, request.path, nullptr)) continue;
    bool head_as_get = request.method == "HEAD" && route.method == "GET";
    if (route.method == request.method || head_as_get) {
      found = &route;
      if (!head_as_get) break;  // an explicit HEAD route wins over GET
      continue;
    }
    if (allowed.find(route.method) == std::string::npos) {
      if (!allowed.empty()) allowed.append(", ");
      allowed.append(route.method);
    }
  }
  if (found != nullptr) {
    request.params.clear();
    Match(found->segments, request.path, &request.params);
    found->handler(std::move(request), std::move(respond));
    return;
  }
  if (allowed.empty()) {
    respond(Response::Error(404, "not_found", "no route for " + request.path));
    return;
  }
  Response response = Response::Error(405, "method_not_allowed",
                                      "method " + request.method + " not allowed on this path");
  response.headers.emplace_back("Allow", std::move(allowed));
  respond(std::move(response));
}

Handler Router::AsHandler() const {
  return [this](Request&& request, Responder respond) {
    Dispatch(std::move(request), std::move(respond));
  };
}

}  // namespace stripehook::http
