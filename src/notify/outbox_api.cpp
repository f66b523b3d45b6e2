#include "notify/outbox_api.h"

#include <cstdlib>
#include <thread>

namespace stripehook::notify {
namespace {

boost::json::value Seconds(const std::optional<int64_t>& us) {
  return us ? boost::json::value(*us / 1'000'000) : boost::json::value(nullptr);
}

std::optional<int64_t> ParseId(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t id = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + (c - '0');
  }
  return id;
}

util::StatusOr<store::OutboxFilter> FilterFrom(const http::Request& request) {
  store::OutboxFilter filter;
  if (auto status = request.QueryParam("status")) {
    filter.status = store::ParseOutboxStatus(*status);
    if (!filter.status) return util::InvalidArgumentError("status: unknown value " + *status);
  }
  if (auto user = request.QueryParam("user_id")) filter.user_id = *user;
  if (auto after = request.QueryParam("starting_after")) {
    filter.starting_after = ParseId(*after);
    if (!filter.starting_after) return util::InvalidArgumentError("starting_after: not an id");
  }
  if (auto limit = request.QueryParam("limit")) {
    std::optional<int64_t> n = ParseId(*limit);
    if (!n || *n < 1 || *n > 1000) return util::InvalidArgumentError("limit: 1..1000");
    filter.limit = static_cast<int>(*n);
  }
  return filter;
}

http::Response ErrorResponse(const util::Status& status) {
  int code = HttpStatusFor(status);
  std::string_view name = code == 400   ? "invalid_request"
                          : code == 404 ? "not_found"
                          : code == 409 ? "conflict"
                                        : "unavailable";
  return http::Response::Error(code, name, status.message());
}

}  // namespace

int HttpStatusFor(const util::Status& status) {
  switch (status.code()) {
    case util::StatusCode::kInvalidArgument:
      return 400;
    case util::StatusCode::kNotFound:
      return 404;
    case util::StatusCode::kFailedPrecondition:
      return 409;
    default:
      return 503;
  }
}

boost::json::object OutboxEntryJson(const store::OutboxEntry& e) {
  boost::system::error_code ec;
  boost::json::value body = boost::json::parse(e.body, ec);
  boost::json::array channels;
  for (const std::string& c : e.channels_done) channels.emplace_back(c);
  return {{"object", "outbox_entry"},
          {"id", e.id},
          {"event_id", e.event_id},
          {"type", e.type},
          {"user_id", e.user_id},
          {"status", store::OutboxStatusName(e.status)},
          {"attempts", e.attempts},
          {"next_attempt_at", Seconds(e.next_attempt_at_us)},
          {"last_error", e.last_error ? boost::json::value(*e.last_error) : nullptr},
          {"created", e.created_at_us / 1'000'000},
          {"delivered_at", Seconds(e.delivered_at_us)},
          {"channels_done", std::move(channels)},
          {"body", ec ? boost::json::value(e.body) : std::move(body)}};
}

http::Handler ListOutboxHandler(store::Store* store) {
  return [store](http::Request&& request, http::Responder respond) {
    util::StatusOr<store::OutboxFilter> filter = FilterFrom(request);
    if (!filter.ok()) return respond(ErrorResponse(filter.status()));
    util::StatusOr<store::OutboxPage> page = store->ListOutbox(*filter);
    if (!page.ok()) return respond(ErrorResponse(page.status()));
    boost::json::array data;
    for (const store::OutboxEntry& e : page->entries) data.push_back(OutboxEntryJson(e));
    boost::json::object list{{"object", "list"},
                             {"url", "/admin/outbox"},
                             {"data", std::move(data)},
                             {"has_more", page->has_more}};
    respond(http::Response::Json(200, boost::json::serialize(list)));
  };
}

http::Handler RetryOutboxHandler(store::Store* store, std::function<void()> wake) {
  return [store, wake](http::Request&& request, http::Responder respond) {
    std::optional<int64_t> id = ParseId(request.Param("id"));
    if (!id) return respond(http::Response::Error(400, "invalid_request", "id: not an outbox id"));
    std::thread([store, wake, id = *id, respond = std::move(respond)] {
      util::StatusOr<int64_t> requeued = store->RequeueOutbox(id);
      if (!requeued.ok()) return respond(ErrorResponse(requeued.status()));
      if (wake) wake();
      util::StatusOr<store::OutboxEntry> entry = store->GetOutbox(id);
      if (!entry.ok()) return respond(ErrorResponse(entry.status()));
      respond(http::Response::Json(200, boost::json::serialize(OutboxEntryJson(*entry))));
    }).detach();
  };
}

}  // namespace stripehook::notify
