#!/usr/bin/python3
"""Reference values for the Go sky map tests, computed independently with
healpy and astropy (Debian's python3-healpy and python3-astropy).

Run from the repository root:

    /usr/bin/python3 netcore/skymap/testdata/reference.py > netcore/skymap/testdata/reference.json

The Go tests only read reference.json; they never run this script.
"""
import base64
import json
import sys

import numpy as np
import healpy as hp
from astropy.io import fits

NOTICES = "testdata/notices/"
MAPS = [
    "lvk-userguide/bayestar.multiorder.fits",
    "mocpy/bayestar.multiorder.fits",
    "gwcelery/MS220722v_bayestar.multiorder.fits",
    "gwcelery/fermi_skymap.fits.gz",
    "lvk-gocart/S230528ay-preliminary.json",  # the embedded event.skymap
]


def load(name):
    """Returns (HDU 1 header, table) of a FITS file or of an alert's embedded map."""
    if name.endswith(".json"):
        with open(NOTICES + name) as f:
            doc = json.load(f)
        raw = base64.b64decode(doc["event"]["skymap"])
        import io
        hdus = fits.open(io.BytesIO(raw))
    else:
        hdus = fits.open(NOTICES + name)
    return hdus[1].header, hdus[1].data


def pixels(header, data):
    """Returns order, NESTED index, density (per sr) per pixel."""
    if header["ORDERING"].strip() == "NUNIQ":
        uniq = np.asarray(data["UNIQ"], dtype=np.int64)
        order = np.array([(int(u) // 4).bit_length() - 1 for u in uniq]) // 2
        ipix = uniq - 4 * 4 ** order.astype(np.int64)
        dens = np.asarray(data["PROBDENSITY"], dtype=float)
        return order, ipix, dens
    nside = header["NSIDE"]
    prob = np.asarray(data["PROB"], dtype=float).ravel()
    if header["ORDERING"].strip() == "RING":
        prob = hp.reorder(prob, r2n=True)
    order = np.full(prob.size, int(np.log2(nside)))
    return order, np.arange(prob.size), prob / hp.nside2pixarea(nside)


def circle_prob(order, ipix, dens, ra, dec, radius):
    """Probability in a circle: healpy's query_disc at a fine order, each
    fine pixel looked up in the map's pixels by NESTED range."""
    maxo = int(order.max())
    # About four million fine pixels in the disc, two orders below the map's
    # when that stays under thirty million.
    area = 2 * np.pi * (1 - np.cos(np.radians(radius)))
    cap = int(np.floor(np.log2(np.sqrt(3e7 * 4 * np.pi / 12 / area))))
    fine = max(min(maxo + 2, cap), int(np.ceil(np.log2(np.sqrt(4e6 * 4 * np.pi / 12 / area)))))
    fine = min(fine, 29)
    nside = 2 ** fine
    vec = hp.ang2vec(ra, dec, lonlat=True)
    disc = hp.query_disc(nside, vec, np.radians(radius), nest=True, inclusive=False)
    shift = 2 * (fine - order)
    start = ipix << shift
    srt = np.argsort(start)
    k = np.searchsorted(start[srt], disc, side="right") - 1
    owner = srt[k]
    inside = disc < ((ipix[owner] + 1) << shift[owner])
    return float(dens[owner[inside]].sum() * hp.nside2pixarea(nside))


def summarise(name):
    header, data = load(name)
    order, ipix, dens = pixels(header, data)
    area = np.array([hp.nside2pixarea(2 ** int(o)) for o in order])
    prob = dens * area
    best = int(np.argmax(dens))
    ra, dec = hp.pix2ang(2 ** int(order[best]), int(ipix[best]), nest=True, lonlat=True)
    srt = np.argsort(-dens, kind="stable")
    cum = np.cumsum(prob[srt]) / prob.sum()
    areas = {}
    for level in (0.5, 0.9):
        n = int(np.searchsorted(cum, level)) + 1  # the pixel that reaches the level included
        areas[level] = float(area[srt][:n].sum() * (180 / np.pi) ** 2)
    circles = []
    for cra, cdec, r in [(ra, dec, 2.0), (ra, dec, 10.0), (ra + 0.3, dec - 0.2, 0.05), (ra, dec, 60.0)]:
        circles.append({"ra": float(cra) % 360, "dec": float(cdec), "radius": r,
                        "prob": circle_prob(order, ipix, dens, cra, cdec, r)})
    return {
        "file": name,
        "ra": float(ra), "dec": float(dec),
        "area50": areas[0.5], "area90": areas[0.9],
        "distmean": header.get("DISTMEAN"), "diststd": header.get("DISTSTD"),
        "npix": int(order.size), "max_order": int(order.max()), "min_order": int(order.min()),
        "total": float(prob.sum()),
        "best_pixel_size_deg": float(np.degrees(np.sqrt(area[best]))),
        "circles": circles,
    }


def centres():
    rng = np.random.default_rng(12)
    out = []
    for order in (0, 1, 2, 3, 5, 8, 11, 16, 20, 29):
        nside = 2 ** order
        npix = 12 * nside * nside
        pix = sorted(set([0, 1, npix - 1, npix // 2, 2 * nside * (nside - 1), npix - 2 * nside * (nside + 1)]
                         + [int(x) for x in rng.integers(0, npix, 12)]))
        pix = [p for p in pix if 0 <= p < npix]
        for nest in (True, False):
            th, ph = hp.pix2ang(nside, pix, nest=nest)
            for p, t, f in zip(pix, th, ph):
                out.append({"nside": nside, "nest": nest, "ipix": p, "theta": float(t), "phi": float(f)})
    return out


def lookups():
    rng = np.random.default_rng(7)
    out = []
    th = np.arccos(rng.uniform(-1, 1, 40))
    ph = rng.uniform(0, 2 * np.pi, 40)
    th = np.concatenate([th, [1e-7, np.pi - 1e-7, np.pi / 2, np.arccos(2 / 3), np.arccos(-2 / 3) + 1e-9]])
    ph = np.concatenate([ph, [0.1, 6.2, 0.0, 1.0, 3.0]])
    for order in (0, 1, 4, 11, 20, 29):
        nside = 2 ** order
        pix = hp.ang2pix(nside, th, ph, nest=True)
        for t, f, p in zip(th, ph, pix):
            out.append({"nside": nside, "theta": float(t), "phi": float(f), "nest": int(p)})
    return out


json.dump({
    "generated_by": "netcore/skymap/testdata/reference.py, healpy %s, astropy %s"
                    % (hp.__version__, __import__("astropy").__version__),
    "maps": [summarise(m) for m in MAPS],
    "centres": centres(),
    "ang2nest": lookups(),
}, sys.stdout, indent=1)
sys.stdout.write("\n")
