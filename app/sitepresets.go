package app

// SitePresets are major observatories, with the default limits (airmass
// 2.5, astronomical night, no Moon limit), for the Sites editor and
// `starling settings sites add --preset`.
//
// Source: the observatories' published geodetic coordinates as astropy's
// site registry (astropy-data, coordinates/sites.json, read by
// EarthLocation.of_site) lists them, rounded to 0.0001°. La Silla, Palomar,
// Siding Spring and Mauna Kea are the sites of the astroplan reference
// values in netcore/observe/testdata, and a test checks they agree.
func SitePresets() []Site {
	return []Site{
		NewSite("La Silla", -29.2567, -70.73, 2400),
		NewSite("Paranal", -24.6272, -70.4042, 2635),
		NewSite("Cerro Tololo", -30.1690, -70.8063, 2207),
		NewSite("Cerro Pachón (Rubin)", -30.2446, -70.7494, 2663),
		NewSite("Las Campanas", -29.0146, -70.6926, 2380),
		NewSite("Palomar", 33.3563, -116.865, 1712),
		NewSite("Kitt Peak", 31.9583, -111.5967, 2120),
		NewSite("Mount Graham", 32.7016, -109.8719, 3181),
		NewSite("Apache Point", 32.7803, -105.8203, 2798),
		NewSite("McDonald", 30.6797, -104.0247, 2075),
		NewSite("Lick", 37.3414, -121.6429, 1283),
		NewSite("Mauna Kea", 19.8207, -155.4681, 4205),
		NewSite("Roque de los Muchachos", 28.7606, -17.8814, 2396),
		NewSite("Teide", 28.3003, -16.5097, 2390),
		NewSite("Calar Alto", 37.2236, -2.5463, 2168),
		NewSite("Haute-Provence", 43.9317, 5.7133, 650),
		NewSite("SAAO Sutherland", -32.3794, 20.8117, 1798),
		NewSite("Siding Spring", -31.2733, 149.0617, 1165),
		NewSite("Xinglong", 40.3958, 117.5775, 900),
		NewSite("Lulin", 23.4686, 120.8730, 2862),
		NewSite("Devasthal", 29.3608, 79.6847, 2450),
	}
}

// SitePreset is the preset called name (any case).
func SitePreset(name string) (Site, bool) {
	return SiteList{Sites: SitePresets()}.Find(name)
}
