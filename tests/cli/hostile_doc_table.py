#!/usr/bin/python3
"""The hostile-input table of docs/input-validation.md, made from what the test saw.

Usage: hostile_doc_table.py SEEN.tsv [--write]
SEEN.tsv is what tests/cli/test_hostile_inputs.sh records (HOSTILE_RECORD=FILE): per case
its name, exit status and the message line. Without --write, exit 1 (with a diff) if the
table between the markers in the doc differs; with --write, replace it.
"""
import difflib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "hostile_cases.tsv")
DOC = os.path.join(HERE, "..", "..", "docs", "input-validation.md")
BEGIN, END = "<!-- hostile-table begin (tests/cli/hostile_doc_table.py) -->", "<!-- hostile-table end -->"
KINDS = {"csv": "CSV catalogs (`classify --td/--field`)", "cli": "Command line", "toml": "TOML configuration",
         "fits": "FITS tables", "detections": "Per-detection tables (`aggregate --xmm --detections`)",
         "counterparts": "Counterpart tables (`crossmatch`)"}
ACCEPTED = {"same": "accepted: the same results as the plain file", "valid": "accepted: a complete results file",
            "csv": "accepted: the table is written"}


def table(seen_path):
    seen = {}
    for line in open(seen_path):
        f = line.rstrip("\n").split("\t")
        seen[f[0]] = f[2] if len(f) > 2 else ""
    cases = [l.rstrip("\n").split("\t") for l in open(TABLE) if not l.startswith("#")][1:]
    out, kind_now = [BEGIN], None
    for name, kind, _make, _cmd, want, where, _msg in cases:
        if kind != kind_now:
            out += ["", f"**{KINDS[kind]}**", "", "| case | what the user sees | exit |", "|---|---|---|"]
            kind_now = kind
        line = seen.get(name, "").replace("mwclass: error: ", "").replace("mwclass: warning: ", "warning: ")
        line = re.sub(r"\.tmp-\d+", ".tmp-<pid>", line)
        text = (ACCEPTED[where] + (f"; `{line}`" if line else "")) if want == "0" else f"`{line}`"
        if "existing_output" in name:
            text += "; the earlier output is untouched (same sha256)"
        text = text.replace("|", "\\|")
        out.append(f"| `{name}` | {text} | {want} |")
    return "\n".join(out + ["", END])


def main(seen_path, write):
    doc = open(DOC).read()
    if BEGIN not in doc or END not in doc:
        print(f"{DOC}: no table markers")
        return 1
    head, rest = doc.split(BEGIN, 1)
    old = BEGIN + rest.split(END, 1)[0] + END
    new = table(seen_path)
    if write:
        open(DOC, "w").write(doc.replace(old, new))
        return 0
    if old != new:
        sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), new.splitlines(True), "doc", "test"))
        print("\ndocs/input-validation.md's hostile-input table differs from what the test saw; regenerate:\n"
              "  HOSTILE_RECORD=/tmp/seen.tsv ctest --test-dir build -R hostile; /usr/bin/python3 tests/cli/hostile_doc_table.py /tmp/seen.tsv --write")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], "--write" in sys.argv[2:]))
