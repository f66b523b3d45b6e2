#include "notify/email_templates.h"

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "notify/time_format.h"

namespace stripehook::notify {
namespace {

constexpr std::pair<std::string_view, std::string_view> kKinds[] = {
    {"subscription.created", "welcome"},
    {"purchase.created", "welcome"},
    {"payment.succeeded", "receipt"},
    {"payment.failed", "payment_failed"},
    {"payment.action_required", "action_required"},
    {"refund.created", "refund"},
    {"dispute.created", "dispute"},
    {"subscription.canceled", "cancellation"},
    {"trial.ending", "trial_ending"},
};
constexpr std::string_view kDateFields[] = {"grace_until", "trial_end", "next_payment_attempt"};
constexpr std::string_view kAmountFields[] = {"amount", "amount_paid", "amount_due"};

std::string HtmlEscape(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Substitute(std::string_view text, const std::map<std::string, std::string>& vars,
                       bool html) {
  std::string out;
  size_t from = 0;
  for (size_t open; (open = text.find("{{", from)) != std::string_view::npos;) {
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    out.append(text.substr(from, open - from));
    auto it = vars.find(std::string(text.substr(open + 2, close - open - 2)));
    if (it != vars.end()) out += html ? HtmlEscape(it->second) : it->second;
    from = close + 2;
  }
  out.append(text.substr(from));
  return out;
}

util::Status OverridePart(const std::filesystem::path& file, std::string* part) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return util::OkStatus();
  std::ifstream in(file, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in && !in.eof()) return util::InvalidArgumentError("cannot read " + file.string());
  *part = content.str();
  return util::OkStatus();
}

std::string Scalar(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64()) return std::to_string(v.as_int64());
  if (v.is_uint64()) return std::to_string(v.as_uint64());
  if (v.is_bool()) return v.as_bool() ? "true" : "false";
  if (v.is_double()) return boost::json::serialize(v);
  return "";
}

}  // namespace

std::optional<std::string_view> EmailKindFor(std::string_view notification_type) {
  for (const auto& [type, kind] : kKinds) {
    if (type == notification_type) return kind;
  }
  return std::nullopt;
}

util::StatusOr<EmailTemplates> EmailTemplates::Load(const std::string& override_dir) {
  EmailTemplates t;
  for (const auto& [kind, tmpl] : BuiltinEmailTemplates()) t.templates_[kind] = tmpl;
  if (override_dir.empty()) return t;
  std::error_code ec;
  if (!std::filesystem::is_directory(override_dir, ec)) {
    return util::InvalidArgumentError("email templates: no directory " + override_dir);
  }
  for (auto& [kind, tmpl] : t.templates_) {
    std::filesystem::path base = std::filesystem::path(override_dir) / kind;
    SH_RETURN_IF_ERROR(OverridePart(base.string() + ".subject", &tmpl.subject));
    SH_RETURN_IF_ERROR(OverridePart(base.string() + ".txt", &tmpl.text));
    SH_RETURN_IF_ERROR(OverridePart(base.string() + ".html", &tmpl.html));
  }
  return t;
}

util::StatusOr<RenderedEmail> EmailTemplates::Render(
    std::string_view kind, const std::map<std::string, std::string>& vars) const {
  auto it = templates_.find(kind);
  if (it == templates_.end()) return util::NotFoundError("no email template " + std::string(kind));
  std::string subject = Substitute(it->second.subject, vars, false);
  // A header line: an override file's trailing newline must not end the header block.
  while (!subject.empty() && (subject.back() == '\n' || subject.back() == '\r')) subject.pop_back();
  return RenderedEmail{std::move(subject), Substitute(it->second.text, vars, false),
                       Substitute(it->second.html, vars, true)};
}

std::map<std::string, std::string> TemplateVars(const boost::json::object& body) {
  std::map<std::string, std::string> vars;
  for (const auto& [key, value] : body) vars[std::string(key)] = Scalar(value);
  for (std::string_view field : kDateFields) {
    auto it = body.find(field);
    if (it != body.end() && it->value().is_int64()) {
      vars[std::string(field) + "_date"] = DateTimeUtc(it->value().as_int64());
    }
  }
  std::string currency = vars.count("currency") ? vars["currency"] : "";
  for (auto& c : currency) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (std::string_view field : kAmountFields) {
    auto it = body.find(field);
    if (it == body.end() || !it->value().is_int64()) continue;
    int64_t cents = it->value().as_int64();
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s%" PRId64 ".%02" PRId64, cents < 0 ? "-" : "",
                  (cents < 0 ? -cents : cents) / 100, (cents < 0 ? -cents : cents) % 100);
    vars[std::string(field) + "_formatted"] = currency.empty() ? buf : buf + (" " + currency);
  }
  return vars;
}

}  // namespace stripehook::notify
