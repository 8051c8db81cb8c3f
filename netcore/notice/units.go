package notice

import "strings"

// units are the units of JSON notice fields, by field name: the GCN
// unified schema (gcn.nasa.gov/docs/schema, core/*.schema.json) and the
// LVK alert's event and external_coinc fields (LVK Public Alerts User
// Guide). A field not listed has no unit or none that is documented.
var units = map[string]string{
	"far":                               "Hz",
	"time_coincidence_far":              "Hz",
	"time_sky_position_coincidence_far": "Hz",
	"time_difference":                   "s",
	"ra":                                "deg",
	"dec":                               "deg",
	"ra_dec_error":                      "deg",
	"healpix_error":                     "deg",
	"rate_duration":                     "s",
	"image_duration":                    "s",
	"rate_energy_range":                 "keV",
	"image_energy_range":                "keV",
	"luminosity_distance":               "Mpc",
	"luminosity_distance_error":         "Mpc",
	"distmean":                          "Mpc",
	"diststd":                           "Mpc",
	"area50":                            "deg²",
	"area90":                            "deg²",
}

// UnitOf is the unit of a JSON notice's field (its name, or a dotted path
// such as event.far); "" when it has none or it is not known.
func UnitOf(field string) string {
	if i := strings.LastIndexByte(field, '.'); i >= 0 {
		field = field[i+1:]
	}
	return units[field]
}
