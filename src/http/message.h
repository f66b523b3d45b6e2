#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stripehook::http {

// A request as handlers see it: our own type, so nothing outside src/http/*.cpp sees Beast.
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request target, query included
  std::string path;    // target up to '?', percent-decoded
  std::string query;   // raw text after '?', empty if none
  // Header names lower-cased, values as received, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;  // peer IP, no port
  std::string request_id;      // X-Request-Id if the client sent one, else generated
  // Path parameters filled by the Router: "/v1/access/{user_id}" -> {"user_id", "..."}.
  std::vector<std::pair<std::string, std::string>> params;
  // When the server finished reading the request (steady clock), for latency figures.
  int64_t received_at_steady_ns = 0;

  // First header with this name (case-insensitive), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
  // How many headers carry this name (case-insensitive): a repeated Stripe-Signature is an error.
  size_t HeaderCount(std::string_view name) const;
  // Path parameter by name, or empty.
  std::string_view Param(std::string_view name) const;
  // Query parameter by name, percent-decoded, or nullopt.
  std::optional<std::string> QueryParam(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::string body;
  bool close_connection = false;

  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body);
  // {"error":{"code":code,"message":message}} with the given status.
  static Response Error(int status, std::string_view code, std::string_view message);
};

// Completes a request. Must be called exactly once, from any thread; the server moves the
// response back onto the connection's own executor. Safe to call after the client has gone (the
// response is dropped); further calls are ignored. Holding it keeps the connection open.
using Responder = std::function<void(Response)>;

// Turns a request into a response, now or later (ingest answers after its commit).
// Called on a server I/O thread: must not block.
using Handler = std::function<void(Request&&, Responder)>;

// Decodes %XX escapes (invalid escapes are kept as written); with plus_is_space, '+' becomes ' '
// (the form encoding used in query strings).
std::string PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace stripehook::http
