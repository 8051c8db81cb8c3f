package notice

import (
	"strings"
)

// citation is one Citations/EventIVORN: the cited IVORN and how it is cited
// (followup, supersedes, retraction).
type citation struct {
	ivorn, cite string
}

// ivornParts is an IVORN split as ivo://authority/stream#fragment.
type ivornParts struct {
	authority, stream, fragment string
}

// parseIVORNParts splits an IVORN without judging it (see voevent.CheckIVORN).
func parseIVORNParts(ivorn string) ivornParts {
	rest := strings.TrimPrefix(ivorn, "ivo://")
	rest, frag, _ := strings.Cut(rest, "#")
	auth, stream, _ := strings.Cut(rest, "/")
	return ivornParts{authority: auth, stream: stream, fragment: frag}
}

// gcnStreams names the missions of ivo://nasa.gsfc.gcn/<stream> packets; a
// stream with instruments is refined by the fragment's prefix in gcnInstruments.
var gcnStreams = map[string]string{
	"AGILE": "AGILE", "AMON": "AMON", "Antares_Alert": "ANTARES", "CALET": "CALET",
	"COUNTERPART": "GCN", "Fermi": "Fermi", "GECAM": "GECAM", "GRO": "GCN",
	"INTEGRAL": "INTEGRAL", "IPN": "IPN", "KONUS": "Konus-Wind", "MAXI": "MAXI",
	"MOA": "MOA", "SK_SN": "Super-Kamiokande", "SNEWS": "SNEWS", "SWIFT": "Swift",
	"UNRECOGNIZED_TYPE": "GCN", "gcn": "GCN",
}

// gcnInstruments refines a GCN stream's mission by the fragment's prefix.
var gcnInstruments = []struct{ stream, prefix, mission string }{
	{"Fermi", "GBM_", "Fermi GBM"},
	{"Fermi", "LAT_", "Fermi LAT"},
	{"SWIFT", "BAT_", "Swift BAT"},
	{"SWIFT", "XRT_", "Swift XRT"},
	{"SWIFT", "UVOT_", "Swift UVOT"},
	{"AMON", "ICECUBE_", "IceCube"},
	{"AMON", "HAWC_", "HAWC"},
	{"CALET", "GBM_", "CALET GBM"},
	{"AGILE", "A_MCAL", "AGILE MCAL"},
}

// authorities names the missions of other IVORN authorities.
var authorities = map[string]string{
	"gwnet": "LVK", "gaia.cam.uk": "Gaia", "ca.chimenet.frb": "CHIME/FRB",
	"org.svom": "SVOM", "svomcgft.naoc": "SVOM", "au.csiro.atnf": "Parkes",
	"au.edu.swin": "UTMOST", "utmost": "UTMOST", "nvo.caltech": "CRTS",
	"raptor.lanl": "RAPTOR", "com.dc3": "DC-3", "voevent.phys.soton.ac.uk": "AMI",
}

// fourPiSkyStreams names the streams of the 4PiSky broker (voevent.4pisky.org).
var fourPiSkyStreams = map[string]string{"ASASSN": "ASAS-SN", "GAIA": "Gaia"}

// missionOf names what sent a packet, from its IVORN.
func missionOf(p ivornParts) string {
	switch {
	case p.authority == "nasa.gsfc.gcn":
		for _, in := range gcnInstruments {
			if in.stream == p.stream && strings.HasPrefix(p.fragment, in.prefix) {
				return in.mission
			}
		}
		if m := gcnStreams[p.stream]; m != "" {
			return m
		}
		return p.stream
	case authorities[p.authority] != "":
		return authorities[p.authority]
	case p.authority == "voevent.4pisky.org" && fourPiSkyStreams[p.stream] != "":
		return fourPiSkyStreams[p.stream]
	case strings.HasSuffix(p.stream, "pl.edu.ogle"):
		return "OGLE"
	}
	if i := strings.LastIndex(p.stream, "/"); i >= 0 {
		return p.stream[i+1:]
	}
	return firstNonEmpty(p.stream, p.authority)
}

// gbmTypeFromIVORN reads a GBM alert type from the IVORN fragment when the
// packet type is not one we know.
func gbmTypeFromIVORN(p ivornParts) string {
	if p.authority != "nasa.gsfc.gcn" || p.stream != "Fermi" {
		return ""
	}
	for prefix, t := range map[string]string{
		"GBM_Alert_": "Alert", "GBM_Flt_Pos_": "Flight position",
		"GBM_Gnd_Pos_": "Ground position", "GBM_Fin_Pos": "Final position",
	} {
		if strings.HasPrefix(p.fragment, prefix) {
			return t
		}
	}
	return ""
}
