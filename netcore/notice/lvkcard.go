package notice

import (
	"strconv"

	"github.com/starling-broker/starling/netcore/alert"
)

// LVK is what an igwn.gwalert record says of its candidate, for a person
// reading one alert (the window's GW card): the summary's fields and the
// detail a summary leaves out (LVK Public Alerts User Guide).
type LVK struct {
	// GW is the classification, properties and significance.
	GW alert.GW
	// FAR is the false-alarm rate in Hz; 0 if not given.
	FAR float64
	// Instruments are the detectors that took part (H1, L1, V1, K1).
	Instruments []string
	// Group, Pipeline and Search say which analysis found it (CBC,
	// gstlal, AllSky, …).
	Group, Pipeline, Search string
	// External is a RAVEN coincidence with another mission's trigger; nil
	// for none.
	External *Coincidence
}

// Coincidence is an LVK alert's external_coinc: a gamma-ray or neutrino
// trigger found coincident by RAVEN.
type Coincidence struct {
	// Observatory and Search name the other trigger's mission and search
	// (Fermi, Swift, IceCube; GRB, SubGRB, MDC, …).
	Observatory, Search string
	// NoticeID is the other trigger's GCN notice id, IVORN its VOEvent's.
	NoticeID, IVORN string
	// TimeDifference is the GW time minus the other trigger's, in seconds.
	TimeDifference float64
	// TimeFAR and SkyFAR are the coincidence's false-alarm rates in Hz: in
	// time alone, and in time and sky position; 0 when not given.
	TimeFAR, SkyFAR float64
	// CombinedSkymap says whether the alert carries the combined sky map.
	CombinedSkymap bool
}

// ReadLVK reads an igwn.gwalert record's candidate; ok is false for bytes
// that are not such a record. A retraction has no event: only External,
// if anything, is set.
func ReadLVK(raw []byte) (LVK, bool) {
	obj, err := decodeObject(raw)
	if err != nil || kindOf("igwn.gwalert", obj) != kindLVK {
		return LVK{}, false
	}
	var l LVK
	if ev := sub(obj, "event"); ev != nil {
		if g := lvkGW(ev, classification(sub(ev, "classification"))); g != nil {
			l.GW = *g
		}
		if far, ok := num(ev, "far"); ok && far > 0 {
			l.FAR = far
		}
		l.Instruments = strs(ev, "instruments")
		l.Group, l.Pipeline, l.Search = str(ev, "group"), str(ev, "pipeline"), str(ev, "search")
	}
	if ext := sub(obj, "external_coinc"); ext != nil {
		c := &Coincidence{Observatory: str(ext, "observatory"), Search: str(ext, "search"), IVORN: str(ext, "ivorn"),
			CombinedSkymap: str(ext, "combined_skymap") != ""}
		if id, ok := num(ext, "gcn_notice_id"); ok {
			c.NoticeID = strconv.FormatFloat(id, 'f', -1, 64)
		} else {
			c.NoticeID = str(ext, "gcn_notice_id")
		}
		c.TimeDifference, _ = num(ext, "time_difference")
		c.TimeFAR, _ = num(ext, "time_coincidence_far")
		c.SkyFAR, _ = num(ext, "time_sky_position_coincidence_far")
		l.External = c
	}
	return l, true
}
