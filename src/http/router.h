#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.h"
#include "http/route_table.h"

namespace stripehook::http {

// Maps method + path pattern to a handler. Patterns are literal segments and `{name}` segments
// (one path segment each); a trailing `*` segment matches the rest of the path (static assets).
// Unknown path → 404 `not_found`; known path, other method → 405 `method_not_allowed`.
// Routes are added before serving; Dispatch is then thread-safe (read-only).
class Router {
 public:
  void Add(std::string_view method, std::string_view pattern, Handler handler);
  void Dispatch(Request&& request, Responder respond) const;
  // A Handler that dispatches through this router (which must outlive it).
  Handler AsHandler() const;
  // Method and pattern ("/v1/access/{user_id}") of every route, in the order added: the
  // OpenAPI test and the metrics route labels read them.
  std::vector<std::pair<std::string, std::string>> Routes() const;

 private:
  struct Route {
    std::string method;
    Handler handler;
  };
  RouteTable patterns_;  // one pattern per route, same index
  std::vector<Route> routes_;
};

}  // namespace stripehook::http
