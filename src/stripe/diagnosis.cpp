#include "stripe/diagnosis.h"

#include <boost/json/parse.hpp>

#include <string>

namespace stripehook::stripe {
namespace {

using Findings = std::vector<std::string>;

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kWhitespace = " \t\r\n\f\v";

std::string Num(int64_t v) { return std::to_string(v); }

// Humans count secrets from 1, in the order they were given (as `stripehook verify` prints them).
std::string SecretName(size_t index) { return "secret #" + std::to_string(index + 1); }

// True when the signature (ignoring age) matches one of `secrets`.
bool Matches(std::string_view body, std::string_view header,
             const std::vector<std::string>& secrets) {
  VerifyOptions no_age;
  no_age.tolerance_seconds = 0;
  return VerifySignature(body, header, secrets, 0, no_age).ok();
}

// The checks VerifySignature runs, in its order; the first failure decides the result.
std::string_view FailedCheck(SignatureError error) {
  switch (error) {
    case SignatureError::kMissingHeader:
      return "1/6 (header present)";
    case SignatureError::kMalformedHeader:
      return "2/6 (header well-formed: one integer t, hex v1)";
    case SignatureError::kNoV1Signature:
      return "3/6 (a v1 signature present)";
    case SignatureError::kNoSecret:
      return "4/6 (a usable secret configured)";
    case SignatureError::kMismatch:
      return "5/6 (a v1 signature matches a secret)";
    case SignatureError::kTimestampTooOld:
      return "6/6 (timestamp within the tolerance)";
    case SignatureError::kNone:
      break;
  }
  return "";
}

std::string Verdict(const VerifyResult& r, std::string_view header, size_t secret_count) {
  std::string of_n = " (of " + Num(static_cast<int64_t>(secret_count)) + ")";
  if (r.ok())
    return "all 6 checks passed: a v1 signature matches " + SecretName(r.matched_secret) + of_n;
  std::string verdict = "failed check " + std::string(FailedCheck(r.error));
  if (r.error == SignatureError::kMismatch) {
    size_t v1 = ParseSignatureHeader(header).v1.size();
    verdict += ": none of " + Num(static_cast<int64_t>(v1)) + " v1 signature(s) matches any of " +
               Num(static_cast<int64_t>(secret_count)) + " secret(s)";
  }
  return verdict;
}

void HeaderFindings(std::string_view header, Findings& out) {
  if (header.empty()) {
    out.push_back("no Stripe-Signature header: Stripe always sends one; is a proxy dropping it?");
    return;
  }
  SignatureHeader parsed = ParseSignatureHeader(header);
  if (parsed.parse_error == SignatureError::kMalformedHeader) {
    out.push_back("header is malformed: " + parsed.parse_detail);
  }
  if (parsed.parse_error == SignatureError::kNoV1Signature) {
    out.push_back("header has no 'v1=' element (other schemes such as v0 are ignored)");
  }
  if (header.find(", ") != std::string_view::npos) {
    out.push_back("header has spaces after commas; Stripe sends `t=...,v1=...` without spaces");
  }
}

void TimestampFindings(const VerifyResult& r, int64_t now, const VerifyOptions& options,
                       Findings& out) {
  if (!r.timestamp) return;
  int64_t age = now - *r.timestamp;
  int64_t tolerance = options.tolerance_seconds;
  if (age < 0) {
    out.push_back("timestamp is " + Num(-age) +
                  " s in the future (clock skew?); accepted, as Stripe's libraries do");
  } else if (tolerance <= 0) {
    out.push_back("timestamp is " + Num(age) + " s old; the age check is disabled");
  } else if (age > tolerance) {
    out.push_back("timestamp is " + Num(age) + " s old; tolerance is " + Num(tolerance) +
                  " s (too old by " + Num(age - tolerance) + " s)");
  } else {
    out.push_back("timestamp is " + Num(age) + " s old; within the tolerance of " + Num(tolerance) +
                  " s");
  }
}

void SecretFindings(const std::vector<std::string>& secrets, Findings& out) {
  if (secrets.empty()) out.push_back("no secret configured");
  for (size_t i = 0; i < secrets.size(); ++i) {
    std::string_view s = secrets[i];
    if (s.find_first_not_of(kWhitespace) == std::string_view::npos) {
      out.push_back(SecretName(i) + " is empty or blank; ignored");
    } else if (s.substr(0, 6) != "whsec_") {
      out.push_back(SecretName(i) +
                    " does not start with whsec_ (is it an API key rather than a signing secret?)");
    }
  }
}

std::string StripTrailingNewlines(std::string_view body) {
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.remove_suffix(1);
  return std::string(body);
}

std::string CrlfToLf(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') continue;
    out.push_back(body[i]);
  }
  return out;
}

std::string StripBom(std::string_view body) {
  return std::string(body.substr(0, kBom.size()) == kBom ? body.substr(kBom.size()) : body);
}

std::string_view Trim(std::string_view s) {
  size_t begin = s.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kWhitespace) - begin + 1);
}

// Each returns true when it found the alteration that explains the mismatch.
bool TryBodyAlterations(std::string_view body, std::string_view header,
                        const std::vector<std::string>& secrets, Findings& out) {
  bool found = false;
  if (!body.empty() && body.back() == '\n' &&
      Matches(StripTrailingNewlines(body), header, secrets)) {
    out.push_back(
        "body ends with a newline that Stripe did not send: the signature matches "
        "without it; strip it (or stop adding it)");
    found = true;
  }
  if (body.find("\r\n") != std::string_view::npos && Matches(CrlfToLf(body), header, secrets)) {
    out.push_back(
        "body has CRLF line endings: the signature matches with LF line endings; "
        "something converted the body's newlines");
    found = true;
  }
  if (body.substr(0, kBom.size()) == kBom && Matches(StripBom(body), header, secrets)) {
    out.push_back(
        "body starts with a UTF-8 byte order mark that Stripe did not send: the "
        "signature matches without it; strip it");
    found = true;
  }
  if (!found && Matches(StripTrailingNewlines(CrlfToLf(StripBom(body))), header, secrets)) {
    out.push_back(
        "body was altered in several ways (BOM, CRLF line endings, trailing newline): "
        "the signature matches once all are undone");
    found = true;
  }
  return found;
}

bool TrySecretAlterations(std::string_view body, std::string_view header,
                          const std::vector<std::string>& secrets, Findings& out) {
  for (size_t i = 0; i < secrets.size(); ++i) {
    std::string_view trimmed = Trim(secrets[i]);
    if (trimmed.empty() || trimmed.size() == secrets[i].size()) continue;
    bool fixes = Matches(body, header, {std::string(trimmed)});
    out.push_back(SecretName(i) + " has whitespace at its start or end (a copied newline?)" +
                  (fixes ? ": the signature matches with the whitespace removed" : ""));
    if (fixes) return true;
  }
  return false;
}

std::string NormalizeHeader(std::string_view header) {
  std::string out;
  bool in_v1 = false;
  for (size_t i = 0; i < header.size(); ++i) {
    char c = header[i];
    if (c == ' ' || c == '\t') continue;
    if (c == ',') in_v1 = false;
    if (header.substr(i, 3) == "v1=") in_v1 = true;
    out.push_back(in_v1 && c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

bool TryHeaderAlterations(std::string_view body, std::string_view header,
                          const std::vector<std::string>& secrets, Findings& out) {
  std::string normalized = NormalizeHeader(header);
  if (normalized == header || !Matches(body, normalized, secrets)) return false;
  bool upper = header.find_first_of("ABCDEF") != std::string_view::npos;
  bool spaces = header.find_first_of(" \t") != std::string_view::npos;
  out.push_back(std::string("header was altered when copied (") + (spaces ? "spaces added" : "") +
                (spaces && upper ? ", " : "") + (upper ? "hex signature in uppercase" : "") +
                "): the signature matches once the header is exactly as Stripe sent it "
                "(no spaces, lowercase hex)");
  return true;
}

// Stripe sends pretty-printed JSON: "{\n  \"", each level indented by two more spaces, no tabs.
bool LooksLikeStripeFormatting(std::string_view body) {
  if (body.substr(0, 4) != "{\n  ") return false;
  size_t previous = 0;
  for (size_t pos = body.find('\n'); pos != std::string_view::npos;
       pos = body.find('\n', pos + 1)) {
    size_t first = body.find_first_not_of(' ', pos + 1);
    if (first == std::string_view::npos) return false;  // trailing whitespace lines
    size_t indent = first - pos - 1;
    if (indent % 2 != 0 || indent > previous + 2 || body[first] == '\t') return false;
    previous = indent;
  }
  return true;
}

void ReserializedFinding(std::string_view body, Findings& out) {
  boost::json::error_code ec;
  (void)boost::json::parse(boost::json::string_view(body.data(), body.size()), ec);
  if (ec || LooksLikeStripeFormatting(body)) return;
  bool compact = body.find('\n') == std::string_view::npos;
  out.push_back(std::string("body looks re-serialized JSON (") +
                (compact ? "compact, on one line" : "not Stripe's 2-space indentation") +
                "): Stripe signs the exact bytes it sends, pretty-printed with 2-space "
                "indentation. The original bytes cannot be recovered from a re-serialized body; "
                "verify the raw request body before any JSON parsing");
}

void MismatchFindings(std::string_view body, std::string_view header,
                      const std::vector<std::string>& secrets, Findings& out) {
  bool explained = TryBodyAlterations(body, header, secrets, out);
  explained = TrySecretAlterations(body, header, secrets, out) || explained;
  explained = TryHeaderAlterations(body, header, secrets, out) || explained;
  if (explained) return;
  size_t before = out.size();
  ReserializedFinding(body, out);
  if (out.size() == before) {
    out.push_back(
        "no configured secret matches any v1 signature: the event was signed with "
        "another secret (each endpoint, and test and live mode, have their own "
        "whsec_), or the body was changed in transit");
  }
}

}  // namespace

SignatureDiagnosis DiagnoseSignature(std::string_view body, std::string_view header,
                                     const std::vector<std::string>& secrets, int64_t now_unix,
                                     const VerifyOptions& options) {
  SignatureDiagnosis d;
  d.result = VerifySignature(body, header, secrets, now_unix, options);
  d.findings.push_back(Verdict(d.result, header, secrets.size()));
  HeaderFindings(header, d.findings);
  TimestampFindings(d.result, now_unix, options, d.findings);
  SecretFindings(secrets, d.findings);
  if (d.result.error == SignatureError::kMismatch) {
    MismatchFindings(body, header, secrets, d.findings);
  } else if (d.result.error == SignatureError::kMalformedHeader ||
             d.result.error == SignatureError::kNoV1Signature) {
    // A header mangled by copying (spaces, uppercase) may still carry a valid signature.
    TryHeaderAlterations(body, header, secrets, d.findings);
  }
  return d;
}

}  // namespace stripehook::stripe
