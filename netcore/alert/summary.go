// Package alert holds the one event model (design §8): the summary that every
// archived alert gets, whatever its wire (VTP, Kafka) and format (VOEvent XML,
// JSON). It is a leaf package: the parsers in voevent and notice fill it, the
// store keeps it, and the window and command line show it.
package alert

import "time"

// Format is the wire format of an alert's raw bytes.
type Format string

// The formats the archive holds.
const (
	// FormatVOEvent is a VOEvent XML packet.
	FormatVOEvent Format = "voevent"
	// FormatJSON is a JSON document (GCN notices, igwn.gwalert, gcn.heartbeat).
	FormatJSON Format = "json"
)

// Summary is what the archive, the window and the command line know of one
// alert beyond its raw bytes. Zero values mean "not known".
type Summary struct {
	// Format is the raw bytes' format.
	Format Format
	// Key is the dedup key: the IVORN of a VOEvent; for JSON "sha256:" and
	// the hex SHA-256 of the bytes.
	Key string
	// Role is a VOEvent's role (observation, test, …); "" for JSON.
	Role string
	// Author is a VOEvent's Who/AuthorIVORN, or a notice's mission and instrument.
	Author string
	// Description is one line of text for a person.
	Description string
	// Mission names what sent it: "LVK", "Fermi GBM", "Swift BAT", "IceCube", …
	Mission string
	// Trigger groups the alerts of one astrophysical event: an LVK
	// superevent id, a GCN trigger number, a notice id.
	Trigger string
	// AlertType is the alert's place in its trigger's sequence: Preliminary,
	// Initial, Update, Retraction; GBM Alert, Flight, Ground, Final; …
	AlertType string
	// Retraction is true for an alert that withdraws its trigger.
	Retraction bool
	// Test is true for role=test VOEvents, mock superevents (ids starting
	// with M), GCN *_TEST notice types and Hopskotch _test records.
	Test bool
	// EventTime is when the astrophysical event happened (UTC); zero if unknown.
	EventTime time.Time

	// HasPosition is true when RA and Dec are known.
	HasPosition bool
	// RA and Dec are the best position, in degrees (ICRS).
	RA, Dec float64
	// ErrorDeg is the position's error radius in degrees; 0 if unknown.
	ErrorDeg float64
	// Containment is the probability that the source lies within ErrorDeg
	// (a JSON notice's containment_probability, e.g. 0.9); 0 if unknown.
	Containment float64

	// FAR is the false-alarm rate in Hz; 0 if unknown.
	FAR float64
	// Significance is a short text for a person ("FAR 1 per 12 years", "SNR 9.1").
	Significance string
	// Probability is a VOEvent's Why/Inference@probability (0–1); 0 if unknown.
	Probability float64

	// HasSkymap is true when the alert embeds what looks like a sky map
	// (base64 FITS, plain or gzipped, in an LVK event.skymap or a GCN
	// healpix_file); schema placeholders and "..."-truncated copies do not count.
	HasSkymap bool
	// Skymap summarises the alert's sky map, when it carries a readable one.
	Skymap *SkymapSummary
	// GW holds an LVK alert's classification and properties; nil for others.
	GW *GW
	// Note says what could not be understood: "unrecognised format",
	// "sky map unreadable: <reason>", …
	Note string
	// Text is every word worth searching for: ids, names, param names and values.
	Text string
}

// SkymapSummary is what the archive keeps of a sky map (degrees and deg²).
type SkymapSummary struct {
	RA     float64 `json:"ra"`
	Dec    float64 `json:"dec"`
	Area50 float64 `json:"area50"`
	Area90 float64 `json:"area90"`
	// DistMean and DistStd are the posterior distance's mean and standard
	// deviation (Mpc), nil (JSON null) when the map gives no distance.
	DistMean *float64 `json:"distmean"`
	DistStd  *float64 `json:"diststd"`
	NPix     int      `json:"npix"`
	MaxOrder int      `json:"max_order"`
}

// HeartbeatType is the alert type of a source's liveness record
// (gcn.heartbeat): archived, but no alert (design §10).
const HeartbeatType = "Heartbeat"

// IsHeartbeat reports whether the summary is a liveness record, not an alert.
func (s Summary) IsHeartbeat() bool { return s.AlertType == HeartbeatType }

// GW is what an LVK alert says of its candidate beyond the summary's
// common fields (LVK user guide): nil values are not known.
type GW struct {
	// Classification is the probability of each source class (BNS, NSBH, BBH, Terrestrial).
	Classification map[string]float64 `json:"classification,omitempty"`
	// HasNS, HasRemnant and HasMassGap are the properties' probabilities (0–1).
	HasNS      *float64 `json:"has_ns,omitempty"`
	HasRemnant *float64 `json:"has_remnant,omitempty"`
	HasMassGap *float64 `json:"has_mass_gap,omitempty"`
	// Significant is LVK's event.significant (the public alert threshold).
	Significant *bool `json:"significant,omitempty"`
}

// Empty reports whether g says nothing.
func (g *GW) Empty() bool {
	return g == nil || len(g.Classification) == 0 && g.HasNS == nil && g.HasRemnant == nil && g.HasMassGap == nil && g.Significant == nil
}
