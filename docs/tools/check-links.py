#!/usr/bin/env python3
"""Checks the links and repository paths of README.md and docs/*.md.

  python3 docs/tools/check-links.py          # prints each broken link or path; exit 1 if any

* Markdown links `[text](target)` that are not URLs must name an existing file or folder, relative to the page,
  and a `#fragment` must be the GitHub anchor of a heading of the target page.
* Repository paths written in backticks (`src/...`, `tests/...`, `models/...`, ...; relative to the repository
  root) must exist. Paths with placeholders or globs (`<`, `*`, `{`, `…`, `NAME`) are checked up to the last
  concrete folder; paths the commands create (`out/`, `data/`, `/tmp/`) are not checked.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROOTS = ("src/", "tests/", "pipelines/", "models/", "samples/", "schema/", "plugins/", "scripts/", "docs/", ".ci/")
LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\n]+)`")


def slug(heading):
    """GitHub's anchor of a heading: lower case, markup and punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    found, counts, fence = set(), {}, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m:
            s = slug(m.group(2))
            n = counts.get(s, 0)
            counts[s] = n + 1
            found.add(s if n == 0 else f"{s}-{n}")
    return found


# Paths that a page's own recipe creates, or that stand for any file.
ALLOW = ("models/actions/motion-new", "pipelines/x.json")


def concrete_prefix(p):
    if p.rstrip("/") in ALLOW:
        return ""
    cut = len(p)
    for mark in ("<", "*", "{", "…", "NAME", "FOLDER", "FILE", "PATH", "VERB", "DIR", "Acme"):
        i = p.find(mark)
        if i >= 0:
            cut = min(cut, i)
    if cut == len(p):
        return p
    p = p[:cut]
    return p[: p.rfind("/") + 1]


def main():
    pages = [os.path.join(ROOT, "README.md")] + sorted(
        os.path.join(ROOT, "docs", f) for f in os.listdir(os.path.join(ROOT, "docs")) if f.endswith(".md"))
    problems = 0
    for page in pages:
        rel_page = os.path.relpath(page, ROOT)
        text = open(page, encoding="utf-8").read()
        # links, outside code fences
        body = re.sub(r"```.*?```", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
        for m in LINK.finditer(body):
            target = m.group(2)
            if re.match(r"^[a-z]+://", target) or target.startswith("mailto:"):
                continue
            line = body.count("\n", 0, m.start()) + 1
            path, _, frag = target.partition("#")
            full = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
            if not os.path.exists(full):
                print(f"{rel_page}:{line}: link target does not exist: {target}")
                problems += 1
                continue
            if frag and full.endswith(".md") and frag not in anchors(full):
                print(f"{rel_page}:{line}: no heading with anchor #{frag} in {os.path.relpath(full, ROOT)}")
                problems += 1
        # repository paths in backticks (in prose and in code blocks)
        spans = [(body.count("\n", 0, m.start()) + 1, m.group(1)) for m in CODE.finditer(body)]
        spans += [(text.count("\n", 0, m.start()) + 1, m.group(1))
                  for m in re.finditer(r"```[^\n]*\n(.*?)```", text, flags=re.S)]
        for line, code in spans:
            for token in re.split(r"[\s,;()=\[\]]+", code):
                token = token.strip("'\".:")
                if not token.startswith(ROOTS):
                    continue
                p = concrete_prefix(token)
                if not p or p in ROOTS:
                    continue
                if not os.path.exists(os.path.join(ROOT, p)):
                    print(f"{rel_page}:{line}: path does not exist: {token}")
                    problems += 1
    print(f"check-links: {len(pages)} pages, {problems} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
