#include "stripe/client/stripe_client.h"

namespace stripehook::stripe {

util::Status StripeClient::List(std::string_view path, const Params& params, Priority priority,
                                const ListVisitor& visit, int page_size) {
  if (page_size < 1 || page_size > 100) {
    return util::InvalidArgumentError("stripe list: page_size must be 1..100");
  }
  for (const auto& [key, value] : params) {
    if (key == "limit" || key == "starting_after" || key == "ending_before") {
      return util::InvalidArgumentError("stripe list: params must not set " + key);
    }
  }
  std::string starting_after;
  while (true) {
    Params page = params;
    page.emplace_back("limit", std::to_string(page_size));
    if (!starting_after.empty()) page.emplace_back("starting_after", starting_after);
    SH_ASSIGN_OR_RETURN(ApiResponse response, Get(path, page, priority));
    const boost::json::value* data = response.body.if_contains("data");
    if (data == nullptr || !data->is_array()) {
      return util::UnavailableError("stripe list " + std::string(path) + ": no data array");
    }
    for (const boost::json::value& item : data->as_array()) {
      if (!item.is_object()) continue;
      if (!visit(item.as_object())) return util::OkStatus();
      const boost::json::value* id = item.as_object().if_contains("id");
      if (id != nullptr && id->is_string()) starting_after = std::string(id->as_string());
    }
    const boost::json::value* has_more = response.body.if_contains("has_more");
    bool more = has_more != nullptr && has_more->is_bool() && has_more->as_bool();
    // An empty page with has_more would loop forever on the same cursor.
    if (!more || data->as_array().empty()) return util::OkStatus();
  }
}

util::StatusOr<std::vector<boost::json::object>> StripeClient::ListAll(std::string_view path,
                                                                       const Params& params,
                                                                       Priority priority) {
  std::vector<boost::json::object> all;
  SH_RETURN_IF_ERROR(List(path, params, priority, [&](const boost::json::object& item) {
    all.push_back(item);
    return true;
  }));
  return all;
}

ClientOptions MakeClientOptions(std::string secret_key, std::string api_base,
                                std::string api_version) {
  ClientOptions options;
  options.secret_key = std::move(secret_key);
  options.api_base = std::move(api_base);
  options.api_version = std::move(api_version);
  return options;
}

}  // namespace stripehook::stripe
