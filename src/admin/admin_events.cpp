// GET /admin/events, GET /admin/events/{id}, POST /admin/events/{id}/retry,
// POST /admin/events/retry-failed.
#include <charconv>
#include <string>
#include <utility>

#include "admin/admin_internal.h"

namespace stripehook::admin::internal {
namespace {

util::StatusOr<std::optional<int64_t>> OptionalInt(const http::Request& r, std::string_view name) {
  std::optional<std::string> text = r.QueryParam(name);
  if (!text || text->empty()) return std::optional<int64_t>();
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) {
    return util::InvalidArgumentError(std::string(name) + ": expected Unix seconds");
  }
  return std::optional<int64_t>(value);
}

std::optional<std::string> NonEmpty(const http::Request& r, std::string_view name) {
  std::optional<std::string> v = r.QueryParam(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

// Time filters: created_gte/created_lt are Stripe's created; received_gte/received_lt our arrival
// time; both in Unix seconds.
util::Status ParseTimes(const http::Request& r, store::AdminEventFilter& f) {
  SH_ASSIGN_OR_RETURN(f.created_gte, OptionalInt(r, "created_gte"));
  SH_ASSIGN_OR_RETURN(f.created_lt, OptionalInt(r, "created_lt"));
  SH_ASSIGN_OR_RETURN(std::optional<int64_t> gte, OptionalInt(r, "received_gte"));
  SH_ASSIGN_OR_RETURN(std::optional<int64_t> lt, OptionalInt(r, "received_lt"));
  if (gte) f.received_gte_us = *gte * 1'000'000;
  if (lt) f.received_lt_us = *lt * 1'000'000;
  return util::OkStatus();
}

util::StatusOr<store::AdminEventFilter> ParseFilter(const AdminContext& ctx,
                                                    const http::Request& r) {
  store::AdminEventFilter f;
  if (std::optional<std::string> status = NonEmpty(r, "status")) {
    f.status = store::ParseEventStatus(*status);
    if (!f.status) {
      return util::InvalidArgumentError(
          "status: expected pending, processed, ignored, stale, failed or dead");
    }
  }
  f.type = NonEmpty(r, "type");
  f.object_id = NonEmpty(r, "object_id");
  f.starting_after = NonEmpty(r, "starting_after");
  SH_ASSIGN_OR_RETURN(f.limit, ParseLimit(r, 20));
  SH_RETURN_IF_ERROR(ParseTimes(r, f));
  if (std::optional<std::string> customer = NonEmpty(r, "customer")) {
    ctx.options.read_state([&](const billing::State& state) {
      f.object_ids_any = ObjectsOfCustomer(state, *customer);
    });
  }
  return f;
}

http::Response ListEvents(const AdminContext& ctx, const http::Request& r) {
  util::StatusOr<store::AdminEventFilter> filter = ParseFilter(ctx, r);
  if (!filter.ok()) return ErrorFor(filter.status());
  util::StatusOr<store::EventPage> page = ctx.options.store->ListEventsForAdmin(*filter);
  if (!page.ok()) return ErrorFor(page.status());
  boost::json::array data;
  for (const store::StoredEvent& e : page->events) data.push_back(EventJson(e, false));
  return JsonOk(ListObject("/admin/events", std::move(data), page->has_more));
}

boost::json::array AuditJson(const std::vector<store::AuditRow>& rows) {
  boost::json::array audit;
  for (const store::AuditRow& row : rows) {
    audit.push_back(boost::json::object{{"table", row.table},
                                        {"key", row.key},
                                        {"change", JsonOrString(row.change)},
                                        {"at", row.at_us / 1'000'000}});
  }
  return audit;
}

http::Response EventDetail(const AdminContext& ctx, const http::Request& r) {
  std::string id(r.Param("id"));
  util::StatusOr<store::StoredEvent> event = ctx.options.store->GetEvent(id);
  if (!event.ok()) return ErrorFor(event.status());
  util::StatusOr<std::vector<store::AuditRow>> audit = ctx.options.store->AuditForEvent(id);
  if (!audit.ok()) return ErrorFor(audit.status());
  boost::json::object o = EventJson(*event, true);
  boost::json::array errors;
  if (event->last_error) {
    errors.push_back(
        boost::json::object{{"attempt", event->attempts}, {"message", *event->last_error}});
  }
  o["errors"] = std::move(errors);
  o["audit"] = AuditJson(*audit);
  return JsonOk(o);
}

http::Response RetryOne(const AdminContext& ctx, const http::Request& r) {
  std::string id(r.Param("id"));
  util::StatusOr<int64_t> n = ctx.options.store->RequeueEvents(id);
  if (!n.ok()) return ErrorFor(n.status());
  util::LogInfo("admin retry").Str("event_id", id);
  return JsonOk(boost::json::object{{"id", id}, {"status", "pending"}, {"requeued", *n}});
}

http::Response RetryFailed(const AdminContext& ctx, const http::Request&) {
  util::StatusOr<int64_t> n = ctx.options.store->RequeueEvents(std::nullopt);
  if (!n.ok()) return ErrorFor(n.status());
  util::LogInfo("admin retry failed").Int("requeued", *n);
  return JsonOk(boost::json::object{{"requeued", *n}});
}

}  // namespace

void AddEventRoutes(http::Router& router, AdminAuth& auth, AdminContext* ctx) {
  AddBlockingRoute(router, auth, ctx, "GET", "/admin/events", ListEvents);
  // Before /admin/events/{id}/retry so that "retry-failed" is never taken for an id.
  AddBlockingRoute(router, auth, ctx, "POST", "/admin/events/retry-failed", RetryFailed);
  AddBlockingRoute(router, auth, ctx, "GET", "/admin/events/{id}", EventDetail);
  AddBlockingRoute(router, auth, ctx, "POST", "/admin/events/{id}/retry", RetryOne);
}

}  // namespace stripehook::admin::internal
