#!/usr/bin/python3
"""Reference observability for the netcore/observe tests, computed with
astroplan 0.7, astropy 5.2.1 and healpy 1.16.1 (Debian 12's python3-astroplan,
python3-astropy, python3-healpy), the way ligo-skymap-plot-observability
does it: each pixel centre is a target, astroplan's constraints are applied
on a time grid, and the probability of the targets that meet them all is
summed.

Run from the repository root:

    /usr/bin/python3 netcore/observe/testdata/make_reference.py > netcore/observe/testdata/reference.json

The Go tests only read reference.json; they never run this script. Every
grid lies inside astropy's bundled IERS-B table (to 2022-11-29), so nothing
is downloaded.
"""
import json

import numpy as np
import healpy as hp
from astropy import units as u
from astropy.coordinates import EarthLocation, SkyCoord
from astropy.io import fits
from astropy.time import Time
from astropy.utils import iers
from astroplan import (AirmassConstraint, AtNightConstraint,
                       MoonSeparationConstraint, Observer)

iers.conf.auto_download = False

NOTICES = "testdata/notices/"
MOC = "gwcelery/MS220722v_bayestar.multiorder.fits"  # a mock event, 1262 deg² (90 %)
MOC2 = "mocpy/bayestar.multiorder.fits"  # the O3 event G361581, 53 deg² (90 %)
MOC3 = "lvk-userguide/bayestar.multiorder.fits"  # the user guide's example, 31 deg²
FLAT = "gwcelery/fermi_skymap.fits.gz"  # RING, nside 8

SITES = {
    # latitude, east longitude (deg), height (m)
    "La Silla": (-29.2567, -70.7300, 2400),
    "Palomar": (33.3563, -116.8650, 1712),
    "Siding Spring": (-31.2733, 149.0617, 1165),
    "Mauna Kea": (19.8207, -155.4681, 4205),
    "Abisko": (68.3500, 18.8200, 380),  # above the Arctic circle
}


def moc_targets(name):
    data = fits.open(NOTICES + name)[1].data
    uniq = np.asarray(data["UNIQ"], dtype=np.int64)
    order = np.floor(np.log2(uniq // 4) / 2).astype(np.int64)
    ipix = uniq - 4 * 4 ** order
    ra = np.empty(len(uniq))
    dec = np.empty(len(uniq))
    for o in np.unique(order):
        k = order == o
        ra[k], dec[k] = hp.pix2ang(2 ** int(o), ipix[k], nest=True, lonlat=True)
    prob = np.asarray(data["PROBDENSITY"], dtype=float) * hp.nside2pixarea(2 ** order)
    return ra, dec, prob


def flat_targets(name):
    prob = hp.read_map(NOTICES + name, nest=False)
    nside = hp.npix2nside(len(prob))
    ra, dec = hp.pix2ang(nside, np.arange(len(prob)), lonlat=True)
    return ra, dec, prob


def circle_targets(ra0, dec0, radius, nside):
    """A uniform disc: the centres of the pixels inside it at a fine nside, equal weights."""
    ipix = hp.query_disc(nside, hp.ang2vec(ra0, dec0, lonlat=True), np.radians(radius), nest=True)
    ra, dec = hp.pix2ang(nside, ipix, nest=True, lonlat=True)
    return ra, dec, np.full(len(ipix), 1.0 / len(ipix))


CASES = [
    # region, site, start (UTC), max airmass, Sun altitude, Moon distance (0: none)
    ("moc", "La Silla", "2022-06-21T00:00:00", 2.5, -18, 0),
    ("moc", "Palomar", "2021-12-21T12:00:00", 2.5, -18, 0),
    ("moc", "Abisko", "2022-06-21T00:00:00", 2.5, -18, 0),
    ("moc", "Siding Spring", "2022-03-20T06:00:00", 2.0, -12, 30),
    ("moc", "Mauna Kea", "2022-03-20T00:00:00", 2.0, -12, 0),
    ("moc2", "La Silla", "2022-06-21T00:00:00", 2.5, -18, 0),
    ("moc2", "Palomar", "2022-06-21T00:00:00", 2.0, -12, 30),
    ("moc2", "Siding Spring", "2022-09-23T00:00:00", 2.5, -18, 0),
    ("moc3", "Siding Spring", "2022-03-20T00:00:00", 2.5, -18, 0),
    ("moc3", "Palomar", "2022-03-20T00:00:00", 2.0, -12, 0),
    ("flat", "La Silla", "2021-12-21T12:00:00", 2.5, -18, 0),
    ("circle10", "La Silla", "2022-03-20T00:00:00", 2.5, -18, 0),
    ("circle30", "Palomar", "2022-06-21T00:00:00", 2.5, -12, 20),
    ("circle3arcmin", "Mauna Kea", "2021-12-21T12:00:00", 2.5, -18, 0),
]

REGIONS = {
    "moc": lambda: moc_targets(MOC),
    "moc2": lambda: moc_targets(MOC2),
    "moc3": lambda: moc_targets(MOC3),
    "flat": lambda: flat_targets(FLAT),
    # RA, Dec, radius (deg), and the nside of the uniform disc's pixels
    "circle10": lambda: circle_targets(150.0, -30.0, 10.0, 256),
    "circle30": lambda: circle_targets(250.0, 20.0, 30.0, 128),
    "circle3arcmin": lambda: circle_targets(40.0, 10.0, 0.05, 16384),
}
CIRCLES = {"circle10": (150.0, -30.0, 10.0), "circle30": (250.0, 20.0, 30.0),
           "circle3arcmin": (40.0, 10.0, 0.05)}

cache = {}
out = {"command": "/usr/bin/python3 netcore/observe/testdata/make_reference.py > netcore/observe/testdata/reference.json",
       "versions": {"astroplan": __import__("astroplan").__version__,
                    "astropy": __import__("astropy").__version__,
                    "healpy": hp.__version__},
       "moc": MOC, "moc2": MOC2, "moc3": MOC3, "flat": FLAT, "step_s": 600, "instants": 145, "cases": []}
for region, site, start, airmass, sunalt, moondist in CASES:
    if region not in cache:
        cache[region] = REGIONS[region]()
    ra, dec, prob = cache[region]
    targets = SkyCoord(ra * u.deg, dec * u.deg, frame="icrs")
    lat, lon, height = SITES[site]
    observer = Observer(location=EarthLocation.from_geodetic(lon * u.deg, lat * u.deg, height * u.m), name=site)
    times = Time(start, scale="utc") + np.arange(145) * 600 * u.s
    constraints = [AirmassConstraint(airmass), AtNightConstraint(sunalt * u.deg)]
    if moondist:
        constraints.append(MoonSeparationConstraint(min=moondist * u.deg))
    ok = np.ones((len(ra), len(times)), dtype=bool)
    for c in constraints:
        ok &= np.broadcast_to(c(observer, targets, times=times, grid_times_targets=True), ok.shape)
    p = (prob[:, None] * ok).sum(axis=0)
    case = {"region": region, "site": site, "lat": lat, "lon": lon, "height": height,
            "start": start + "Z", "max_airmass": airmass, "sun_alt": sunalt, "moon_distance": moondist,
            "targets": len(ra), "total": float(prob.sum()),
            "p": [float(x) for x in p], "p_any": float(prob[ok.any(axis=1)].sum())}
    if region in CIRCLES:
        case["circle"] = CIRCLES[region]
    out["cases"].append(case)
    print(region, site, start, "max P %.3f" % p.max(), file=__import__("sys").stderr)
print(json.dumps(out, indent=1))
