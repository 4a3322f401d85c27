"""Shared reader and figure helpers of the mwclass plotting tools (tools/plot_*.py).

Reads an mwclass results file (docs/output-format.md) and the /report group that
`mwclass report FILE` adds. Every problem with the input is raised as InputError;
`run(main)` prints it as "error: ..." on stderr and exits with code 2.
"""
import os
import sys

EXIT_BAD_INPUT = 2


class InputError(Exception):
    """A problem with the user's input (file, group, option value)."""


def run(main):
    """Call main(); turn InputError into a message on stderr and exit code 2."""
    prog = os.path.basename(sys.argv[0])
    try:
        main()
    except InputError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    except BrokenPipeError:
        sys.exit(1)


def import_h5py():
    try:
        import h5py  # noqa: F401
    except ImportError:
        raise InputError("this script needs h5py: run it with /usr/bin/python3 "
                         "(Debian: apt-get install python3-h5py)")
    return h5py


def open_h5(path):
    """An HDF5 file opened read-only; an InputError naming it if it cannot be."""
    h5py = import_h5py()
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise InputError(f"{path}: cannot open ({e})")


def import_pyplot():
    """matplotlib.pyplot with the non-interactive Agg backend and paper-friendly defaults."""
    try:
        import matplotlib
    except ImportError:
        raise InputError("this script needs matplotlib: run it with /usr/bin/python3 "
                         "(Debian: apt-get install python3-matplotlib)")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({
        "font.size": 11,
        "axes.titlesize": 12,
        "axes.labelsize": 12,
        "xtick.labelsize": 10.5,
        "ytick.labelsize": 10.5,
        "legend.fontsize": 10,
        "savefig.dpi": 150,
        "figure.dpi": 100,
    })
    return plt


def decode(values):
    """h5py string data (bytes, str, or a numpy object array of them) as a list of str."""
    out = []
    for v in values:
        out.append(v.decode("utf-8") if isinstance(v, bytes) else str(v))
    return out


class Results:
    """An opened results file. Use as a context manager."""

    def __init__(self, path, need_report=True):
        h5py = import_h5py()
        self.path = path
        if not os.path.exists(path):
            raise InputError(f"{path}: no such file")
        if os.path.isdir(path):
            raise InputError(f"{path}: is a directory, expected an mwclass HDF5 results file")
        if not h5py.is_hdf5(path):
            raise InputError(f"{path}: not an HDF5 file (expected the --out file of "
                             "`mwclass classify`, `loocv` or `cv`)")
        try:
            self.f = h5py.File(path, "r")
        except OSError as e:
            raise InputError(f"{path}: cannot open: {e}")
        try:
            self._check(need_report)
        except Exception:
            self.f.close()
            raise

    def _check(self, need_report):
        f, path = self.f, self.path
        for name in ("classes", "sources"):
            if name not in f:
                raise InputError(f"{path}: no /{name} in the file: not an mwclass results file")
        if int(f.attrs.get("complete", 0)) != 1:
            raise InputError(f"{path}: the file is incomplete (no complete=1 attribute); "
                             "it may have been cut short: rerun mwclass")
        if need_report and "report" not in f and "true_class_index" not in f["sources"]:
            raise InputError(f"{path} has no /report group and no true classes: this figure "
                             "needs an evaluation run (`mwclass loocv` or `mwclass cv`, then "
                             "`mwclass report FILE`)")
        if need_report and "report" not in f:
            raise InputError(f"{path} has no /report group: run `mwclass report {path}` first")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()

    # ---- base layout ----
    @property
    def classes(self):
        return decode(self.f["classes"][()])

    @property
    def features(self):
        return decode(self.f["features"][()]) if "features" in self.f else []

    def source(self, name):
        """A /sources dataset as a numpy array, or None if it is absent."""
        g = self.f["sources"]
        return g[name][()] if name in g else None

    def names(self):
        return decode(self.f["sources/name"][()])

    # ---- /report ----
    def report(self, name, required=True):
        g = self.f["report"]
        if name not in g:
            if required:
                raise InputError(f"{self.path}: /report/{name} is missing: rerun "
                                 f"`mwclass report {self.path}` with a current mwclass")
            return None
        return g[name][()]

    def report_attr(self, name, default=None):
        v = self.f["report"].attrs.get(name, default)
        if isinstance(v, bytes):
            v = v.decode("utf-8")
        return v

    def report_columns(self, name):
        """Column names stored as /report/<name> (list of str)."""
        return decode(self.report(name))

    def summary(self):
        """{column: (value over all sources, value over confident sources)}."""
        s = self.report("summary")
        cols = self.report_columns("summary_columns")
        if s.ndim != 2 or s.shape[0] < 2 or s.shape[1] != len(cols):
            raise InputError(f"{self.path}: /report/summary has shape {s.shape}, "
                             f"expected (2, {len(cols)})")
        return {c: (s[0, i], s[1, i]) for i, c in enumerate(cols)}

    @property
    def ct_threshold(self):
        v = self.report_attr("ct_threshold")
        return None if v is None else float(v)

    @property
    def kind(self):
        return self.report_attr("kind", "")


def check_out(path):
    """The output file's folder must exist."""
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise InputError(f"--out {path}: folder {d} does not exist")
    return path


def save(fig, path, dpi=150):
    try:
        fig.savefig(path, dpi=dpi, bbox_inches="tight", facecolor="white")
    except (OSError, ValueError) as e:
        raise InputError(f"cannot write {path}: {e}")
    print(f"wrote {path}")


def add_common_args(parser, out_default=None):
    parser.add_argument("results", metavar="FILE",
                        help="HDF5 results file of `mwclass loocv`, `cv` or `classify`")
    parser.add_argument("--out", metavar="PNG", default=out_default, required=out_default is None,
                        help="figure to write (PNG; .pdf/.svg also work by extension)")
    parser.add_argument("--dpi", type=int, default=150, help="resolution (default: %(default)s)")
