#pragma once

#include <span>
#include <string_view>

#include "http/router.h"

namespace stripehook::admin {

// One dashboard file compiled into the binary (web/embed_assets.py generates the table from
// web/ at build time; nothing is read from disk at run time).
struct UiAsset {
  std::string_view name;          // path below /admin/ui/, e.g. "index.html", "app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
  std::string_view etag;  // quoted strong validator: a hash of the body
  // True for every asset but index.html: index.html names them with "?v=<hash>", so a new
  // build changes their URLs and they may be cached for good.
  bool immutable = false;
};

// Every embedded file; static storage, valid for the life of the process.
std::span<const UiAsset> EmbeddedUiAssets();

// The asset served for `name` (the path below /admin/ui/; "" means index.html), or nullptr.
const UiAsset* FindUiAsset(std::string_view name);

// Serves the dashboard (DESIGN.md §4):
//   GET /admin/ui      308 to /admin/ui/ (relative asset URLs need the slash)
//   GET /admin/ui/     index.html, `Cache-Control: no-cache` (revalidated with its ETag)
//   GET /admin/ui/X    the asset X, `Cache-Control: public, max-age=31536000, immutable`
// Unknown names answer 404 `not_found` (JSON). If-None-Match with the current ETag answers 304.
// The pages need no key: they hold no data. Every API call they make sends the admin key, which
// the operator types in and the page keeps in sessionStorage. Responses carry a
// Content-Security-Policy allowing only this origin, so no script or style loads from elsewhere.
// Thread-safe (read-only after registration).
void AddDashboardRoutes(http::Router& router);

}  // namespace stripehook::admin
