#!/usr/bin/python3
"""Compare every dataset of two mwclass HDF5 result files bit for bit.

Usage: compare_h5.py A.h5 B.h5
Attributes (wall time, rank count, command line) may differ; datasets may not.
Exit 0 if identical, 1 with a list of differences otherwise.
"""
import sys

import h5py
import numpy as np


def datasets(f):
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out


def main(a_path, b_path):
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        for f, p in ((a, a_path), (b, b_path)):
            if f.attrs.get("complete") != 1:
                print(f"{p}: not marked complete")
                return 1
        da, db = datasets(a), datasets(b)
    problems = []
    if da.keys() != db.keys():
        problems.append(f"dataset names differ: {sorted(set(da) ^ set(db))}")
    for name in sorted(set(da) & set(db)):
        x, y = np.asarray(da[name]), np.asarray(db[name])
        if x.shape != y.shape or x.dtype != y.dtype:
            problems.append(f"{name}: shape/dtype {x.shape} {x.dtype} vs {y.shape} {y.dtype}")
        elif x.dtype.kind in "fc":
            # bit-level equality (NaN == NaN when the bits agree)
            if x.tobytes() != y.tobytes():
                n = int(np.sum(x.view(np.uint8) != y.view(np.uint8)))
                problems.append(f"{name}: {n} differing bytes")
        elif not np.array_equal(x, y):
            problems.append(f"{name}: values differ")
    for p in problems:
        print(p)
    print(f"compared {len(da)} datasets: {'identical' if not problems else 'DIFFERENT'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
