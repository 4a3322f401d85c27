#!/usr/bin/python3
"""Print a SHA-256 fingerprint of the numeric results of an mwclass HDF5 file.

Usage: fingerprint.py FILE.h5 [DATASET ...]
Default datasets: sources/P and sources/e_P. The fingerprint covers each
dataset's name, shape, dtype and raw bytes, so any change of a bit changes it.
Attributes (wall time, ranks, command line) are not covered.
"""
import hashlib
import sys

import h5py
import numpy as np


def fingerprint(path, names):
    h = hashlib.sha256()
    with h5py.File(path, "r") as f:
        if f.attrs.get("complete") != 1:
            sys.exit(f"{path}: not marked complete")
        for name in names:
            if name not in f:
                sys.exit(f"{path}: no dataset '{name}'")
            x = np.ascontiguousarray(f[name][()])
            h.update(f"{name}|{x.shape}|{x.dtype.str}|".encode())
            h.update(x.tobytes())
    return h.hexdigest()


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print(fingerprint(sys.argv[1], sys.argv[2:] or ["sources/P", "sources/e_P"]))
