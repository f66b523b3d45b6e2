#include "http/router.h"

#include <utility>

namespace stripehook::http {
void Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  patterns_.Add(pattern);
  routes_.push_back(Route{std::string(method), std::move(handler)});
}

std::vector<std::pair<std::string, std::string>> Router::Routes() const {
  std::vector<std::pair<std::string, std::string>> routes;
  for (size_t i = 0; i < routes_.size(); ++i) {
    routes.emplace_back(routes_[i].method, patterns_.Pattern(i));
  }
  return routes;
}

void Router::Dispatch(Request&& request, Responder respond) const {
  size_t found = routes_.size();
  std::string allowed;
  patterns_.ForEachMatch(request.path, [&](size_t index) {
    const Route& route = routes_[index];
    bool head_as_get = request.method == "HEAD" && route.method == "GET";
    if (route.method == request.method || head_as_get) {
      found = index;
      return !head_as_get;  // an explicit HEAD route wins over GET
    }
    if (allowed.find(route.method) == std::string::npos) {
      if (!allowed.empty()) allowed.append(", ");
      allowed.append(route.method);
    }
    return false;
  });
  if (found < routes_.size()) {
    request.params.clear();
    patterns_.Params(found, request.path, request.params);
    routes_[found].handler(std::move(request), std::move(respond));
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
