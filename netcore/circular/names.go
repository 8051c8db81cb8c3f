// Package circular holds what Starling knows of GCN Circulars: the names of
// transients that a Circular's subject gives (Names), the names by which a
// trigger is known (TriggerNames), and a Circular's draft in GCN's plain-text
// style (Draft), with the address of GCN's pre-filled submission form. It
// is pure text: no store, no window, no network.
package circular

import (
	"regexp"
	"strings"
)

// A namer recognises one kind of transient name and writes it in its
// canonical form, the one Names returns.
type namer struct {
	re   *regexp.Regexp
	form func(m []string) string
}

// namers are the kinds of names, in the order Names tries them. The
// spellings follow GCN's own subject matchers (gcn.nasa.gov
// circulars.lib.ts: "GRB[.\s_-]*", "IceCube[.\s_-]*", …) and the names
// missions give: LVK superevents S251205ab (MS… mock, TS… test), Einstein
// Probe EP251205a, IceCube-251205A, ZTF25aaaaaaa, TNS AT 2025abc / SN
// 2025abc, CHIME and DSA-110 FRB 20251205A, Fermi GBM bn251205123,
// KM3NeT KM3-251205A.
var namers = []namer{
	// GRB 251205A, GRB251205A, GRB_251205A; GRB 970228 (no letter before 2010); GRB 251205.123.
	{regexp.MustCompile(`(?i)\bGRB[._\s-]*(\d{6})([a-z]|\.\d{1,4})?\b`), func(m []string) string {
		return "GRB " + m[1] + strings.ToUpper(m[2])
	}},
	// LVK superevents: S251205ab; mock MS…, test TS…; G… events. The
	// letters are lower case in every LVK name, which keeps "S123456A"
	// (a part number, a GRB letter) out.
	{regexp.MustCompile(`\b([MT]?S|G)(\d{6})([a-z]{1,3})\b`), func(m []string) string { return m[1] + m[2] + m[3] }},
	// Gravitational-wave event names: GW170817, GW231123_135430.
	{regexp.MustCompile(`\bGW(\d{6})(_\d{6})?\b`), func(m []string) string { return "GW" + m[1] + m[2] }},
	// Einstein Probe: EP251205a (also EP251205A as some subjects write it).
	{regexp.MustCompile(`\bEP[\s_-]?(\d{6})([a-zA-Z]{1,2})\b`), func(m []string) string { return "EP" + m[1] + strings.ToLower(m[2]) }},
	// IceCube-251205A, IceCube 251205A, ICECUBE_251205a.
	{regexp.MustCompile(`(?i)\bIceCube[._\s-]*(\d{6}[a-z])\b`), func(m []string) string { return "IceCube-" + strings.ToUpper(m[1]) }},
	// KM3NeT: KM3-251205A.
	{regexp.MustCompile(`(?i)\bKM3[._\s-]*(\d{6}[a-z])\b`), func(m []string) string { return "KM3-" + strings.ToUpper(m[1]) }},
	// ZTF25aaaaaaa: two digits of the year, seven letters.
	{regexp.MustCompile(`(?i)\bZTF[._\s-]?(\d{2}[a-z]{7})\b`), func(m []string) string { return "ZTF" + strings.ToLower(m[1]) }},
	// TNS: AT 2025abc, AT2025abc, SN 2025abc.
	{regexp.MustCompile(`\b(AT|SN)[\s_]?((?:19|20)\d{2})([a-z]{1,4})\b`), func(m []string) string { return m[1] + " " + m[2] + m[3] }},
	// Fast radio bursts: FRB 20251205A (FRB 121102 before 2020's names).
	{regexp.MustCompile(`\bFRB[\s_]?(\d{8}[A-Z]{0,3}|\d{6}[A-Z]?)\b`), func(m []string) string { return "FRB " + m[1] }},
	// Fermi GBM trigger names: bn251205123.
	{regexp.MustCompile(`\bbn(\d{9})\b`), func(m []string) string { return "bn" + m[1] }},
}

// maxSubject bounds how much of a text Names reads: a Circular's subject is
// one line, and a longer text is not one.
const maxSubject = 4096

// Names returns the transient names that a Circular's subject (or any
// short text) gives, each once, in canonical form (GRB 251205A,
// S251205ab, EP251205a, IceCube-251205A, ZTF25aaaaaaa, AT 2025abc, FRB
// 20251205A, …), in the order they appear. Names of its own output returns
// that output: names are stable under Names.
func Names(subject string) []string {
	if len(subject) > maxSubject {
		subject = subject[:maxSubject]
	}
	type found struct {
		at   int
		name string
	}
	var all []found
	for _, n := range namers {
		for _, loc := range n.re.FindAllStringSubmatchIndex(subject, -1) {
			m := make([]string, len(loc)/2)
			for i := range m {
				if loc[2*i] >= 0 {
					m[i] = subject[loc[2*i]:loc[2*i+1]]
				}
			}
			all = append(all, found{loc[0], n.form(m)})
		}
	}
	// In the order they appear; stable for names found at one place.
	for i := 1; i < len(all); i++ {
		for j := i; j > 0 && all[j].at < all[j-1].at; j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	var out []string
	for _, f := range all {
		if !contains(out, f.name) {
			out = append(out, f.name)
		}
	}
	return out
}

// TriggerNames returns the names by which a trigger is known, for
// matching Circulars: the names in its trigger key (an LVK superevent id
// such as S251205ab, a GRB name when Circulars made the trigger, each part
// of a key like "745121685|bn240812094") and in texts (its alerts'
// descriptions, which carry names such as MAXI's "GRB 230220A"). It is the
// one place where a trigger's key and a Circular's subject meet.
func TriggerNames(key string, texts ...string) []string {
	var out []string
	add := func(ns []string) {
		for _, n := range ns {
			if !contains(out, n) {
				out = append(out, n)
			}
		}
	}
	for _, part := range strings.Split(key, "|") {
		add(Names(part))
	}
	for _, t := range texts {
		add(Names(t))
	}
	return out
}

// Subject is the subject of a Circular as an archived summary describes
// it: "GCN 33603: GRB 230410A: …" gives number "33603" and the subject
// after it; a description without the prefix is the subject itself.
func Subject(description string) (number, subject string) {
	if rest, ok := strings.CutPrefix(description, "GCN "); ok {
		if n, s, ok := strings.Cut(rest, ": "); ok && n != "" && strings.Trim(n, "0123456789") == "" {
			return n, s
		}
	}
	return "", description
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
