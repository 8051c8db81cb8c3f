#!/usr/bin/python3
"""Reference values for the netcore/ephem tests, computed independently with
astropy (Debian 12's python3-astropy 5.2.1).

Run from the repository root:

    /usr/bin/python3 netcore/ephem/testdata/make_reference.py > netcore/ephem/testdata/reference.json

The Go tests only read reference.json; they never run this script.

Every instant lies inside astropy's bundled IERS-B table (it ends 2022-11-29),
so astropy uses the true UT1 and polar motion; nothing is downloaded.
"""
import json
import random

import numpy as np
from astropy import units as u
from astropy.coordinates import (AltAz, EarthLocation, PrecessedGeocentric,
                                 SkyCoord, get_body, get_sun)
from astropy.time import Time
from astropy.utils import iers

iers.conf.auto_download = False

SITES = [
    # name, latitude, east longitude (deg), height (m)
    ("La Silla", -29.2567, -70.7300, 2400),
    ("Palomar", 33.3563, -116.8650, 1712),
    ("Mauna Kea", 19.8207, -155.4681, 4205),
    ("Siding Spring", -31.2733, 149.0617, 1165),
    ("Abisko", 68.3500, 18.8200, 380),
    ("Greenwich", 51.4769, 0.0, 46),
    ("Amundsen-Scott", -89.99, 0.0, 2835),
]

rng = random.Random(19)
# Instants spread over 2000–2022 at random seconds, plus the J2000 epoch
# and two in 2022.
times = ["2000-01-01T12:00:00", "2022-06-21T09:13:27", "2022-11-20T21:48:00"]
for _ in range(37):
    y = rng.randint(2000, 2021)
    mo = rng.randint(1, 12)
    d = rng.randint(1, 28)
    times.append("%04d-%02d-%02dT%02d:%02d:%02d" % (y, mo, d, rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)))

TARGETS = [(0.0, 0.0), (83.6331, 22.0145), (266.4168, -29.0078), (201.365, -43.0191),
           (10.6847, 41.2690), (150.0, -60.0), (300.0, 80.0)]

out = {"command": "/usr/bin/python3 netcore/ephem/testdata/make_reference.py > netcore/ephem/testdata/reference.json",
       "astropy": __import__("astropy").__version__, "instants": []}
for i, ts in enumerate(times):
    t = Time(ts, scale="utc")
    sun = get_sun(t)
    moon = get_body("moon", t)
    sun_date = sun.transform_to(PrecessedGeocentric(equinox=t, obstime=t))
    moon_date = moon.transform_to(PrecessedGeocentric(equinox=t, obstime=t))
    rec = {
        "utc": ts + "Z",
        "gmst_deg": t.sidereal_time("mean", "greenwich", model="IAU2006").deg,
        "era_deg": t.earth_rotation_angle(0).deg,
        "sun_ra": sun_date.ra.deg, "sun_dec": sun_date.dec.deg,
        "sun_dist_au": sun.distance.to(u.au).value,
        "moon_ra": moon_date.ra.deg, "moon_dec": moon_date.dec.deg,
        "moon_dist_km": moon.distance.to(u.km).value,
        "sites": [],
    }
    for s in (SITES[i % len(SITES)], SITES[(i + 3) % len(SITES)]):
        loc = EarthLocation.from_geodetic(s[2] * u.deg, s[1] * u.deg, s[3] * u.m)
        frame = AltAz(obstime=t, location=loc, pressure=0 * u.hPa)
        sa = sun.transform_to(frame)
        ma = get_body("moon", t, location=loc).transform_to(frame)
        tg = SkyCoord([p[0] for p in TARGETS] * u.deg, [p[1] for p in TARGETS] * u.deg, frame="icrs").transform_to(frame)
        rec["sites"].append({
            "name": s[0], "lat": s[1], "lon": s[2], "height": s[3],
            "sun_alt": sa.alt.deg, "sun_az": sa.az.deg,
            "moon_alt": ma.alt.deg, "moon_az": ma.az.deg,
            "targets": [{"ra": p[0], "dec": p[1], "alt": a.alt.deg, "az": a.az.deg,
                         "secz": float(a.secz.value)} for p, a in zip(TARGETS, tg)],
        })
    out["instants"].append(rec)

pts = SkyCoord([p[0] for p in TARGETS] * u.deg, [p[1] for p in TARGETS] * u.deg, frame="icrs")
gal = pts.galactic
out["galactic"] = [{"ra": p[0], "dec": p[1], "l": g.l.deg, "b": g.b.deg} for p, g in zip(TARGETS, gal)]
out["separations"] = []
for a in range(len(TARGETS)):
    for b in range(a + 1, len(TARGETS)):
        out["separations"].append({"ra1": TARGETS[a][0], "dec1": TARGETS[a][1], "ra2": TARGETS[b][0],
                                   "dec2": TARGETS[b][1], "deg": pts[a].separation(pts[b]).deg})
print(json.dumps(out, indent=1))
