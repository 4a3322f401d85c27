#!/usr/bin/python3
"""Reads an mwclass results file with h5py, as a user would (docs/output-format.md).

Usage: read_results.py FILE. Exits non-zero (with the failed check) if the file
does not follow the documented layout.
"""
import sys

import h5py
import numpy as np


def strings(dataset):
    """Variable-length UTF-8 strings: bytes by default, str through asstr()."""
    raw = dataset[()]
    assert dataset.dtype.kind == "O", dataset.dtype
    assert h5py.check_string_dtype(dataset.dtype).encoding == "utf-8"
    assert all(isinstance(v, bytes) for v in raw), raw
    decoded = [v.decode("utf-8") for v in raw]
    assert list(dataset.asstr()[()]) == decoded
    return decoded


def main(path):
    with h5py.File(path, "r") as f:
        a = f.attrs
        assert a.get("complete", 0) == 1, "incomplete file (attribute 'complete' is not 1)"
        assert a["format"] == "mwclass-results", a["format"]
        assert int(a["format_version"]) >= 1
        for name in ("mwclass_version", "command_line", "config", "training_catalog",
                     "field_catalog", "created_utc"):
            assert isinstance(a[name], str), (name, type(a[name]))  # attributes decode to str
        assert a["seed"].dtype == np.uint64
        for name in ("mc_iterations", "ranks", "threads"):
            assert a[name].dtype == np.int32, name
        assert a["wall_time_seconds"].dtype == np.float64

        classes = strings(f["classes"])
        features = strings(f["features"])
        n_class, n_feat = len(classes), len(features)
        assert n_class > 0

        s = f["sources"]
        names = strings(s["name"])
        n = len(names)
        assert n > 0
        for key in ("ra", "dec", "ebv", "Class_prob", "e_Class_prob", "CT"):
            assert s[key].shape == (n,) and s[key].dtype == np.float64, key
        for key in ("bin", "class_index"):
            assert s[key].shape == (n,) and s[key].dtype == np.int32, key
        assert s["confident"].shape == (n,) and s["confident"].dtype == np.uint8
        for key in ("P", "e_P", "P_median", "P_q02275", "P_q97725"):
            assert s[key].shape == (n, n_class) and s[key].dtype == np.float64, key
        assert s["ra"].attrs["units"] == "deg"
        assert "confidence threshold" in s["CT"].attrs["description"]

        P = s["P"][()]
        assert np.allclose(P.sum(axis=1), 1.0, atol=1e-9), P.sum(axis=1)
        index = s["class_index"][()]
        assert ((index >= -1) & (index < n_class)).all()
        assert (index == P.argmax(axis=1)).all()
        predicted = strings(s["class"])
        assert predicted == [classes[i] if i >= 0 else "" for i in index], predicted
        assert np.array_equal(s["Class_prob"][()], P[np.arange(n), index])
        assert set(np.unique(s["confident"][()])) <= {0, 1}

        b = f["items"]
        n_bins = b["id"].shape[0]
        for key in ("id", "n_sources", "mc_iterations"):
            assert b[key].shape == (n_bins,) and b[key].dtype == np.int32, key
        assert b["ebv"].shape == (n_bins,)
        assert (np.diff(b["id"][()]) > 0).all()
        assert set(s["bin"][()]) <= set(b["id"][()])
        assert b["n_sources"][()].sum() == n
        for key in ("importance_mean", "importance_std"):
            assert b[key].shape in ((n_bins, n_feat), (0, n_feat)), (key, b[key].shape)
    print(f"OK: {path}: {n} sources, {n_class} classes {classes}, {n_bins} bins, "
          f"{n_feat} features, first source {names[0]!r}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
