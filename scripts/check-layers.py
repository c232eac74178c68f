#!/usr/bin/env python3
"""check-layers.py — enforce the dependency order of libavmit's areas (README.md, "Layout").

Each folder src/<area>/ may use only the areas below it in ORDER (the transitive
closure of the direct edges written there). A use is an include:
  - #include "<area>/..."       an internal header of another area;
  - #include "avmit/<name>.h"   a public header, which belongs to the area that
                                defines most of its functions (found by scanning
                                src/*/*.c), and which brings along every area its
                                own public includes need (transitively).
Public headers obey the order of the area they belong to; cli/*.c includes only
public headers (avmit/...) and the CLI's own headers.

usage: check-layers.py [SOURCE_ROOT]      exit 0 = clean, 1 = violations (listed)
"""
import os
import re
import sys

# area: the areas it uses directly (the arrows of README's order, pointing down)
ORDER = {
    "core": [],
    "io": ["core"],
    "audio": ["io"],
    "media": ["io"],
    "vision": ["io"],
    "plot": ["io"],
    "data": ["audio", "media", "vision", "plot"],
    "graph": ["data"],
    "nn": ["graph"],
    "train": ["nn"],
    "cnn": ["graph", "io"],
    "frontend": ["media", "audio", "vision"],
    "extract": ["frontend", "cnn", "data"],
    "annotate": ["data"],
    "analysis": ["train"],
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
DEFINITION = re.compile(r"^(?!static\b|typedef\b|extern\b)[A-Za-z_][\w \t\*]*?\b(avmit_\w+)\s*\([^;]*$",
                        re.M)
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def closure():
    allowed = {}

    def walk(a, seen):
        for d in ORDER[a]:
            if d not in seen:
                seen.add(d)
                walk(d, seen)
        return seen

    for a in ORDER:
        allowed[a] = walk(a, {a})
    return allowed


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    src, inc, cli = (os.path.join(root, d) for d in ("src", "include/avmit", "cli"))
    allowed = closure()
    problems = []

    areas = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    for a in areas:
        if a not in ORDER:
            problems.append(f"src/{a}/: area '{a}' is not in the dependency order "
                            f"(scripts/check-layers.py ORDER and README.md 'Layout')")

    # who defines each public function
    defined_in = {}
    for a in areas:
        for name in sorted(os.listdir(os.path.join(src, a))):
            if name.endswith(".c"):
                text = COMMENT.sub("", read(os.path.join(src, a, name)))
                for fn in DEFINITION.findall(text):
                    defined_in.setdefault(fn, []).append(a)

    # each public header's area and its direct public includes
    owner, pub_includes = {}, {}
    for name in sorted(os.listdir(inc)):
        if not name.endswith(".h"):
            continue
        text = read(os.path.join(inc, name))
        pub_includes[name] = [i[len("avmit/"):] for i in INCLUDE.findall(text) if i.startswith("avmit/")]
        bad = [i for i in INCLUDE.findall(text) if not i.startswith("avmit/")]
        for i in bad:
            problems.append(f"include/avmit/{name}: includes \"{i}\": public headers include only avmit/*.h")
        votes = {}
        for fn in set(re.findall(r"\b(avmit_\w+)\s*\(", COMMENT.sub("", text))):
            for a in defined_in.get(fn, []):
                votes[a] = votes.get(a, 0) + 1
        if votes:
            owner[name] = max(sorted(votes), key=lambda a: votes[a])

    def needs(h, seen=None):
        """Areas a user of public header h depends on (its owner + its includes')."""
        seen = set() if seen is None else seen
        if h in seen or h not in pub_includes:
            return set()
        seen.add(h)
        out = {owner[h]} if h in owner else set()
        for i in pub_includes[h]:
            out |= needs(i, seen)
        return out

    def check(where, area, text):
        for i in INCLUDE.findall(text):
            head = i.split("/", 1)[0] if "/" in i else None
            if head == "avmit":
                h = i[len("avmit/"):]
                if h == "avmit.h":
                    problems.append(f"{where}: includes the umbrella avmit/avmit.h: include the headers it uses")
                    continue
                for b in sorted(needs(h) - allowed[area]):
                    problems.append(f"{where}: includes avmit/{h}, which needs area '{b}': '{area}' "
                                    f"may use only {', '.join(sorted(allowed[area]))}")
            elif head in ORDER and head not in allowed[area]:
                problems.append(f"{where}: includes \"{i}\" (area '{head}'): '{area}' may use only "
                                f"{', '.join(sorted(allowed[area]))}")

    for a in areas:
        if a not in ORDER:
            continue
        for name in sorted(os.listdir(os.path.join(src, a))):
            if name.endswith((".c", ".h")):
                check(f"src/{a}/{name}", a, read(os.path.join(src, a, name)))
    for h, a in sorted(owner.items()):
        if a in ORDER:
            check(f"include/avmit/{h}", a, read(os.path.join(inc, h)))
    for name in sorted(os.listdir(cli)):
        if name.endswith((".c", ".h")):
            for i in INCLUDE.findall(read(os.path.join(cli, name))):
                if "/" in i and not i.startswith("avmit/"):
                    problems.append(f"cli/{name}: includes \"{i}\": the CLI uses only include/avmit/*.h")

    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} include(s) against the dependency order")
        return 1
    print(f"check-layers: {len(areas)} areas, {len(owner)} owned public headers, order respected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
