#!/usr/bin/env python3
"""Fails when an #include crosses the dependency arrows of DESIGN.md §3 / STYLE.md.

Each area may include only itself and the areas listed for it. Boost.Beast and Asio may appear
only in src/http/*.cpp. Run by ctest (test `layering`).
"""
import pathlib
import re
import sys

ALLOWED = {
    "util": set(),
    "http": {"util"},
    "stripe": {"util"},
    "stripe/client": {"util", "stripe"},
    "billing": {"util"},
    "store": {"util", "billing"},
    "store/sqlite": {"util", "billing", "store"},
    "store/postgres": {"util", "billing", "store"},
}
FEATURE = {"util", "http", "stripe", "stripe/client", "billing", "store"}
for feature in ("ingest", "pipeline", "reconcile", "notify", "admin"):
    ALLOWED[feature] = FEATURE
ALLOWED["app"] = set(ALLOWED) | {"app"}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
BEAST = re.compile(r'^\s*#\s*include\s+<boost/(beast|asio)')


def area_of(rel):
    parts = rel.split("/")
    if len(parts) >= 2 and "/".join(parts[:2]) in ALLOWED:
        return "/".join(parts[:2])
    return parts[0]


def main(src):
    root = pathlib.Path(src)
    errors = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        rel = path.relative_to(root).as_posix()
        if "/" not in rel:
            continue  # main.cpp
        area = area_of(rel)
        allowed = ALLOWED.get(area, set()) | {area}
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if BEAST.match(line) and not (area == "http" and rel.endswith(".cpp")):
                errors.append(f"{rel}:{n}: Beast/Asio outside src/http/*.cpp")
            m = INCLUDE.match(line)
            if not m:
                continue
            target = area_of(m.group(1))
            if target in ALLOWED and target not in allowed:
                errors.append(f"{rel}:{n}: {area} may not include {m.group(1)}")
    for e in errors:
        print(e)
    print(f"layering: {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
