#!/usr/bin/env python3
"""Fails when a file of a lower module includes a higher module's header.

Module order (README "Layout"): a module may include its own headers and those
of modules on a lower level; modules on one level do not include each other.
Every folder of src/ and include/mwclass/ must be listed here, so a new module
has to be placed in the order before it can be built.
Usage: check_includes.py SOURCE_DIR
"""
import pathlib
import re
import sys

LEVELS = [
    ["core"],
    ["catalog"],
    ["archive"],
    ["physics"],
    ["sampling"],
    ["learners"],
    ["ensemble"],
    ["evaluation", "parallel", "output"],
    ["run"],
    ["app"],
]
LEVEL = {m: i for i, group in enumerate(LEVELS) for m in group}
INCLUDE = re.compile(r'^\s*#\s*include\s*"mwclass/([a-z_]+)/')


def module_of(path, root):
    rel = path.relative_to(root).parts
    if rel[0] == "src":
        return rel[1]
    if rel[:2] == ("include", "mwclass"):
        return rel[2]
    return None


def main(root):
    root = pathlib.Path(root)
    problems = []
    files = [p for d in ("src", "include/mwclass") for p in (root / d).rglob("*")
             if p.suffix in (".hpp", ".cpp", ".h")]
    for d in [*(root / "src").iterdir(), *(root / "include/mwclass").iterdir()]:
        if d.is_dir() and d.name not in LEVEL:
            problems.append(f"{d.relative_to(root)}: module '{d.name}' is not in the module order "
                            f"of tests/structure/check_includes.py")
    for path in sorted(files):
        mod = module_of(path, root)
        if mod not in LEVEL:
            continue
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            if target not in LEVEL:
                problems.append(f"{path.relative_to(root)}:{n}: includes unknown module '{target}'")
            elif target != mod and LEVEL[target] >= LEVEL[mod]:
                problems.append(f"{path.relative_to(root)}:{n}: module '{mod}' includes "
                                f"'{line.strip()}' of module '{target}', which is "
                                f"{'on the same level' if LEVEL[target] == LEVEL[mod] else 'higher'}")
    for p in problems:
        print("FAIL:", p)
    if problems:
        return 1
    print(f"PASS: {len(files)} files, every include points down the module order")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
