#!/usr/bin/python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ (run once; the files are committed).

Every seed is written here from scratch: small valid inputs of each reader plus the
conventions it accepts (BOM, CRLF, quotes, comments, TSV), so libFuzzer starts inside the
parsers instead of at their first error. FITS seeds need astropy (Debian python3-astropy).
Usage: /usr/bin/python3 tests/fuzz/make_corpus.py
"""
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


# ---- catalog CSV (default configuration's columns) ----------------------------------------
BANDS = ["G", "BP", "RP", "J", "H", "K", "W1", "W2", "W3"]
HEADER = (["CSCv2_name", "CSCv2_RA", "CSCv2_DEC", "ebv", "Fs", "e_Fs", "Fm", "e_Fm", "Fh", "e_Fh",
           "P_intra", "P_inter"] + [c for b in BANDS for c in (b + "mag", "e_" + b + "mag")]
          + ["True_Class"])
ROWS = [
    ["J1201+1235", "180.25", "12.59", "0.016", "1e-16", "1e-16", "8.9e-15", "2.8e-15", "1.3e-15",
     "1.1e-15", "0.35", "0.84"] + ["15.4", "0.004"] * 9 + ["YSO"],
    ["J1432+7553", "218.19", "75.89", "", "5.6e-15", "2.3e-15", "1.5e-14", "3.7e-15", "1.4e-14",
     "3.5e-15", "0.74", ""] + ["", ""] * 6 + ["16.3", "0.035", "15.2", "0.037", "", ""] + ["AGN"],
    ["J1724-1041", "261.2", "-10.7", "0.006", "3.2e-14", "5.4e-15", "1.2e-14", "3.3e-15",
     "4.1e-14", "6.1e-15", "0.997", "0.1"] + ["9.1", "0.003"] * 9 + ["LMXB"],
]
csv = lambda rows, sep=",", eol="\n": eol.join(sep.join(r) for r in rows) + eol
put("csv", "training.csv", csv([HEADER] + ROWS))
put("csv", "field.csv", csv([HEADER[:-1]] + [r[:-1] for r in ROWS]))
put("csv", "bom_crlf.csv", "\ufeff" + csv([HEADER] + ROWS[:2], eol="\r\n"))
quoted = [['"%s"' % c for c in HEADER]] + [['"%s"' % c.replace("J", 'J""') for c in ROWS[0]]]
put("csv", "quoted.csv", csv(quoted))
put("csv", "header_only.csv", csv([HEADER]))

# ---- TOML configuration ---------------------------------------------------------------------
for name in ("muwclass_cscv2.toml", "archive.toml"):
    with open(os.path.join(HERE, "..", "..", "configs", name), "rb") as f:
        put("config", name, f.read())
put("config", "small.toml", """[monte_carlo]
iterations = 10
error_scale = 1.5
[forest]
trees = 5
[columns]
name = "src"
sentinel_magnitudes = [-99.0, 99.0]
[[features.xray_bands]]
name = "s"
flux_column = "Fs"
error_column = "e_Fs"
energy_lo_kev = 0.5
energy_hi_kev = 1.2
""")
put("config", "empty.toml", "")

# ---- per-detection tables (CSC pandas CSV, CSC CLI TSV, 4XMM) --------------------------------
det_header = ("name,ra,dec,err_ellipse_r0,significance,sat_src_flag,streak_src_flag,extent_flag,"
              "conf_flag,pileup_flag,nh_gal,powlaw_gamma,powlaw_gamma_lolim,powlaw_gamma_hilim,"
              "obsid,region_id,obi,instrument,theta,pileup_warning,sat_src_flag.1,"
              "streak_src_flag.1,flux_aper90_s.1,flux_aper90_lolim_s.1,flux_aper90_hilim_s.1,"
              "flux_aper90_m.1,flux_aper90_lolim_m.1,flux_aper90_hilim_m.1,"
              "flux_aper90_h.1,flux_aper90_lolim_h.1,flux_aper90_hilim_h.1,kp_prob_b").split(",")
master = " 13 06 21.74,-60 43 28.36,0.79,2.63,False,False, TRUE,False,False,88.44,1.7,1.2,2.3"
det = [
    "A," + master + ",1,1,0,ACIS,1.0,0.01,False,False,2e-15,1e-15,4e-15,2e-15,1e-15,4e-15,2e-15,1e-15,4e-15,0.5",
    "A," + master + ",2,1,0,ACIS,2.0,0.01,False,False,1e-15,0,2e-15,1e-15,0,2e-15,1e-15,0,2e-15,0.9",
    "A," + master + ",3,1,0, HRC,1.0,0.01,False,False,2e-15,1e-15,4e-15,,,,,,,0.99",
    "B,196.5,-0.5,1.1,5.0,False,False,False,False,False,1.0,,,,8,2,1,ACIS,11.0,0.4,TRUE,False,"
    "3e-15,2e-15,4e-15,3e-15,2e-15,4e-15,3e-15,2e-15,4e-15,0.1",
    "C,196.6,-0.4,1.1,5.0,False,False,False,False,False,1.0,,,,8,2,1,ACIS,1.0,0.0,False,False,"
    "3e-15,2e-15,4e-15,,,,3e-15,2e-15,4e-15,",
]
put("detections", "pandas.csv", ",".join(det_header) + "\n" + "\n".join(det) + "\n")
cli_header = [h[:-2] if h.endswith(".1") else h for h in det_header]
put("detections", "cli.tsv", "# CSC command-line output\n#  columns\n" + "\t".join(cli_header) + "\n"
    + "\n".join("\t".join(c if c.strip() else "   " for c in d.split(",")) for d in det) + "\n")
xmm_header = ["IAUNAME", "SC_RA", "SC_DEC", "SC_POSERR", "SC_DET_ML"] + [
    f"EP_{n}_FLUX{e}" for n in range(2, 6) for e in ("", "_ERR")]
xmm = [["4XMM J130621.7-604328", "196.59", "-60.72", "0.8", "40"] + ["2e-15", "5e-16"] * 4,
       ["4XMM J130622.0-604330", "13:06:22.0", "-60:43:30", "1.2", "8"] + ["", ""] * 2
       + ["1e-14", "3e-15"] * 2]
put("detections", "xmm.csv", csv([xmm_header] + xmm))

# ---- FITS (astropy): catalog table, per-detection table, SFD-like image, HEALPix map ------------
try:
    import numpy as np
    from astropy.io import fits
except ImportError:
    sys.exit("make_corpus.py: FITS seeds need /usr/bin/python3 with astropy")


def fits_bytes(hdus):
    b = io.BytesIO()
    fits.HDUList(hdus).writeto(b)
    return b.getvalue()


cols = []
for i, h in enumerate(HEADER):
    vals = [r[i] for r in ROWS]
    if h in ("CSCv2_name", "True_Class"):
        cols.append(fits.Column(name=h, format="16A", array=vals))
    else:
        unit = {"CSCv2_RA": "deg", "CSCv2_DEC": "deg"}.get(h, "mag" if "mag" in h else
                                                           "erg/s/cm2" if h.startswith(("F", "e_F")) else None)
        cols.append(fits.Column(name=h, format="D", unit=unit,
                                array=[float(v) if v else np.nan for v in vals]))
table = fits.BinTableHDU.from_columns(cols, name="CATALOG")
put("fits", "catalog.fits", fits_bytes([fits.PrimaryHDU(), table]))
ints = fits.BinTableHDU.from_columns([
    fits.Column(name="name", format="8A", array=["A", "B"]),
    fits.Column(name="obsid", format="J", null=-1, array=[1, -1]),
    fits.Column(name="flag", format="L", array=[True, False]),
    fits.Column(name="vec", format="3E", array=[[1, 2, 3], [4, 5, 6]])])
put("fits", "types.fits", fits_bytes([fits.PrimaryHDU(), ints]))
ascii_table = fits.TableHDU.from_columns([fits.Column(name="x", format="E10.3", array=[1.5, 2.5])])
put("fits", "ascii.fits", fits_bytes([fits.PrimaryHDU(), ascii_table]))
img = fits.PrimaryHDU(np.arange(16, dtype=np.float32).reshape(4, 4))
for k, v in {"CTYPE1": "GLON-ZEA", "CTYPE2": "GLAT-ZEA", "CRPIX1": 2.5, "CRPIX2": 2.5,
             "CD1_1": -1.0, "CD2_2": 1.0, "CRVAL1": 0.0, "CRVAL2": 90.0, "LAM_NSGP": 1,
             "LAM_SCAL": 1.0}.items():
    img.header[k] = v
put("fits", "image.fits", fits_bytes([img]))
hp = fits.BinTableHDU.from_columns([fits.Column(name="EBV", format="E",
                                                array=np.linspace(0, 1, 12).astype(np.float32))])
hp.header["PIXTYPE"] = "HEALPIX"
hp.header["ORDERING"] = "NESTED"
hp.header["NSIDE"] = 1
put("fits", "healpix.fits", fits_bytes([fits.PrimaryHDU(), hp]))
