#include <iostream>
#include <string>

#include "app/cli_commands.h"
#include "app/config.h"
#include "app/store_factory.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/json_text.h"

namespace stripehook::app {
namespace {

std::string EventJson(const store::StoredEvent& e, bool with_payload) {
  std::string out = "{\"id\":";
  util::AppendJsonString(out, e.event.id);
  out += ",\"type\":";
  util::AppendJsonString(out, e.event.type);
  out += ",\"created\":" + std::to_string(e.event.created);
  out += ",\"object_id\":";
  util::AppendJsonString(out, e.event.object_id);
  out += ",\"status\":";
  util::AppendJsonString(out, store::EventStatusName(e.status));
  out += ",\"attempts\":" + std::to_string(e.attempts);
  out += ",\"received_at_us\":" + std::to_string(e.event.received_at_us);
  out += ",\"source\":";
  util::AppendJsonString(out, e.event.source);
  if (e.last_error) {
    out += ",\"last_error\":";
    util::AppendJsonString(out, *e.last_error);
  }
  if (with_payload) out += ",\"payload\":" + e.event.payload;
  out += "}";
  return out;
}

// Fills the filter from the options; prints the problem and returns false on a bad value.
bool BuildFilter(const EventsListOptions& o, store::EventFilter* filter) {
  int64_t now = util::SystemClock::Default().NowUnixSeconds();
  if (!o.status.empty()) {
    filter->status = store::ParseEventStatus(o.status);
    if (!filter->status) {
      std::cerr << "stripehook events list: --status: unknown status '" << o.status << "'\n";
      return false;
    }
  }
  if (!o.type.empty()) filter->type = o.type;
  if (!o.object_id.empty()) filter->object_id = o.object_id;
  if (!o.starting_after.empty()) filter->starting_after = o.starting_after;
  for (auto [text, slot, name] : {std::tuple{&o.since, &filter->created_gte, "--since"},
                                  std::tuple{&o.until, &filter->created_lt, "--until"}}) {
    if (text->empty()) continue;
    *slot = ParseTimeArg(*text, now);
    if (!*slot) {
      std::cerr << "stripehook events list: " << name << ": cannot read time '" << *text << "'\n";
      return false;
    }
  }
  if (o.limit < 1 || o.limit > 1000) {
    std::cerr << "stripehook events list: --limit must be 1..1000\n";
    return false;
  }
  filter->limit = o.limit;
  return true;
}

}  // namespace

int RunEventsList(const CommonOptions& common, const EventsListOptions& options) {
  store::EventFilter filter;
  if (!BuildFilter(options, &filter)) return 2;
  std::optional<Opened> opened = OpenForCli(common, "events list");
  if (!opened) return 1;
  std::unique_ptr<store::Store>& store = opened->store;
  util::StatusOr<store::EventPage> page = store->ListEvents(filter);
  store->Shutdown();
  if (!page.ok()) {
    std::cerr << "stripehook events list: " << page.status().message() << "\n";
    return 1;
  }
  for (const store::StoredEvent& e : page->events) {
    if (options.json) {
      std::cout << EventJson(e, false) << "\n";
    } else {
      std::cout << e.event.id << "  " << e.event.type << "  created=" << e.event.created << "  "
                << store::EventStatusName(e.status) << "  attempts=" << e.attempts << "\n";
    }
  }
  if (!options.json && page->has_more) {
    std::cout << "(more: --starting-after " << page->events.back().event.id << ")\n";
  }
  return 0;
}

int RunEventsShow(const CommonOptions& common, const std::string& id) {
  std::optional<Opened> opened = OpenForCli(common, "events show");
  if (!opened) return 1;
  std::unique_ptr<store::Store>& store = opened->store;
  util::StatusOr<store::StoredEvent> event = store->GetEvent(id);
  store->Shutdown();
  if (!event.ok()) {
    std::cerr << "stripehook events show: " << event.status().message() << "\n";
    return 1;
  }
  std::cout << EventJson(*event, true) << "\n";
  return 0;
}

}  // namespace stripehook::app
