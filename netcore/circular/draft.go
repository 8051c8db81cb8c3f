package circular

import (
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// FormAddress is GCN's page for a new Circular; its query parameters
// subject and body fill the form (gcn.nasa.gov reads them with
// searchParams.get("subject") and ("body")).
const FormAddress = "https://gcn.nasa.gov/circulars/new"

// MaxFormURL is the longest form address worth handing to a browser: many
// servers and proxies refuse request lines much beyond 8 KB, so a longer
// draft is copied instead.
const MaxFormURL = 8000

// Closing is the sentence a Circular with photometry usually ends with.
const Closing = "Magnitudes are in the AB system and are not corrected for the expected Galactic extinction."

// Row is one line of a draft's observation log. Each field is the text a
// person typed; Time may be a UTC time ("2025-12-05 21:04:05" or RFC
// 3339), which the log then also gives as hours after T0.
type Row struct {
	Time     string `json:"time"`
	Filter   string `json:"filter"`
	Exposure string `json:"exposure"`
	// Value is a limit ("> 21.3") or a magnitude ("19.85 +/- 0.05").
	Value string `json:"value"`
}

// Draft is a GCN Circular being written for one trigger: what the
// trigger says of itself (Name, Mission, T0, position) and what the
// observer writes (the subject, the team, the paragraphs, the log).
type Draft struct {
	// Trigger is the archive's trigger key the draft belongs to.
	Trigger string `json:"trigger"`
	// Name is the transient's name in the subject ("GRB 251205A").
	Name string `json:"name,omitempty"`
	// Mission is the trigger's mission ("Swift BAT", "LVK").
	Mission string `json:"mission,omitempty"`
	// T0 is the trigger time (UTC); zero if unknown.
	T0 time.Time `json:"t0,omitzero"`
	// HasPosition, RA, Dec (degrees, J2000) and ErrorDeg are the trigger's best position.
	HasPosition bool    `json:"has_position,omitempty"`
	RA          float64 `json:"ra,omitempty"`
	Dec         float64 `json:"dec,omitempty"`
	ErrorDeg    float64 `json:"error_deg,omitempty"`

	// Subject is the Circular's subject; empty, Text makes one from
	// Name, Team and What.
	Subject string `json:"subject,omitempty"`
	// Authors are the authors and their institutions, "A. Author, B.
	// Author (Institution)".
	Authors string `json:"authors,omitempty"`
	// Team is the team or observatory ("Starling Observatory").
	Team string `json:"team,omitempty"`
	// What is what the Circular reports ("optical upper limits").
	What string `json:"what,omitempty"`
	// Intro is the paragraph before the log.
	Intro string `json:"intro,omitempty"`
	// Log is the observation log.
	Log []Row `json:"log,omitempty"`
	// Closing is the paragraph after the log (Closing by default).
	Closing string `json:"closing,omitempty"`
}

// Trigger is what a draft takes from a trigger.
type Trigger struct {
	// Key is the archive's trigger key.
	Key string
	// Names are the trigger's names (TriggerNames); the first is used.
	Names []string
	// Mission is the trigger's mission.
	Mission string
	// T0 is the trigger time; zero if unknown.
	T0 time.Time
	// HasPosition, RA, Dec, ErrorDeg are its best position (degrees).
	HasPosition       bool
	RA, Dec, ErrorDeg float64
}

// New starts a draft for a trigger: its name (else its mission and key),
// T0 and position, a paragraph that says so, and the usual closing.
func New(t Trigger) Draft {
	d := Draft{Trigger: t.Key, Mission: t.Mission, T0: t.T0.UTC(), HasPosition: t.HasPosition, RA: t.RA, Dec: t.Dec, ErrorDeg: t.ErrorDeg,
		Team: "Starling Observatory", What: "optical upper limits", Authors: "A. Author, B. Author (Institution)", Closing: Closing}
	if len(t.Names) > 0 {
		d.Name = t.Names[0]
	} else {
		d.Name = strings.TrimSpace(t.Mission + " trigger " + strings.ReplaceAll(t.Key, "|", "/"))
	}
	d.Intro = d.defaultIntro()
	return d
}

// defaultIntro is the paragraph New writes: the field, T0 and position.
func (d Draft) defaultIntro() string {
	var b strings.Builder
	b.WriteString("We observed the field of " + d.Name)
	if d.Mission != "" && !strings.Contains(d.Name, d.Mission) {
		b.WriteString(" (" + d.Mission + ")")
	}
	b.WriteString(" with the " + orWord(d.Team, "telescope"))
	if !d.T0.IsZero() {
		b.WriteString(", T0 = " + d.T0.Format("2006-01-02 15:04:05") + " UT")
	}
	if d.HasPosition {
		fmt.Fprintf(&b, ", at RA, Dec = %.4f, %+.4f deg (J2000)", d.RA, d.Dec)
		if d.ErrorDeg > 0 {
			b.WriteString(" with an error radius of " + errorText(d.ErrorDeg))
		}
	}
	b.WriteString(". The observations are listed below.")
	return b.String()
}

// errorText is an error radius in the unit that suits it.
func errorText(deg float64) string {
	switch {
	case deg >= 1:
		return fmt.Sprintf("%.1f deg", deg)
	case deg*60 >= 1:
		return fmt.Sprintf("%.1f arcmin", deg*60)
	}
	return fmt.Sprintf("%.1f arcsec", deg*3600)
}

func orWord(s, word string) string {
	if strings.TrimSpace(s) == "" {
		return word
	}
	return s
}

// SubjectLine is the draft's subject: Subject, else "NAME: TEAM WHAT".
func (d Draft) SubjectLine() string {
	if s := strings.TrimSpace(d.Subject); s != "" {
		return s
	}
	return strings.TrimSpace(d.Name + ": " + strings.TrimSpace(d.Team+" "+d.What))
}

// Text is the Circular's subject and plain-text body: the team line, the
// paragraph, the observation log as an aligned table, the closing.
func (d Draft) Text() (subject, body string) {
	var paras []string
	team := strings.TrimSpace(d.Team)
	if team == "" {
		team = "a larger collaboration"
	} else if !strings.HasPrefix(strings.ToLower(team), "the ") {
		team = "the " + team + " team"
	}
	if a := strings.TrimSpace(d.Authors); a != "" {
		paras = append(paras, a+" report on behalf of "+team+":")
	}
	if s := strings.TrimSpace(d.Intro); s != "" {
		paras = append(paras, s)
	}
	if t := d.LogTable(); t != "" {
		paras = append(paras, t)
	}
	if s := strings.TrimSpace(d.Closing); s != "" {
		paras = append(paras, s)
	}
	return d.SubjectLine(), strings.Join(paras, "\n\n") + "\n"
}

// timeForms are the UTC time layouts a log row's Time is read in.
var timeForms = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"}

// rowTime reads a log row's time, ok false when it is not a time.
func rowTime(s string) (time.Time, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), " UT")
	s = strings.TrimSuffix(s, " UTC")
	for _, f := range timeForms {
		if t, err := time.Parse(f, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// LogTable is the observation log as a plain-text table, its columns
// aligned with spaces: the time (UT), T-T0 in hours when T0 is known and
// a time reads as one, filter, exposure and limit or magnitude. Rows with
// nothing in them are left out; no row gives "".
func (d Draft) LogTable() string {
	var rows []Row
	for _, r := range d.Log {
		if strings.TrimSpace(r.Time+r.Filter+r.Exposure+r.Value) != "" {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return ""
	}
	withDT := false
	if !d.T0.IsZero() {
		for _, r := range rows {
			if _, ok := rowTime(r.Time); ok {
				withDT = true
			}
		}
	}
	head := []string{"Start (UT)", "Filter", "Exp. (s)", "Mag. (AB)"}
	if withDT {
		head = []string{"Start (UT)", "T-T0 (h)", "Filter", "Exp. (s)", "Mag. (AB)"}
	}
	table := [][]string{head}
	for _, r := range rows {
		line := []string{oneLine(r.Time)}
		if withDT {
			dt := ""
			if t, ok := rowTime(r.Time); ok {
				h := t.Sub(d.T0).Hours()
				dt = fmt.Sprintf("%.2f", math.Round(h*100)/100)
			}
			line = append(line, dt)
		}
		table = append(table, append(line, oneLine(r.Filter), oneLine(r.Exposure), oneLine(r.Value)))
	}
	widths := make([]int, len(head))
	for _, line := range table {
		for i, c := range line {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for k, line := range table {
		if k > 0 {
			b.WriteByte('\n')
		}
		var l strings.Builder
		for i, c := range line {
			l.WriteString(c)
			if i < len(line)-1 {
				l.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+3))
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
	}
	return b.String()
}

// oneLine is s on one line, tabs and line ends as spaces, trimmed.
func oneLine(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s))
}

// FormURL is GCN's new-Circular form with the draft's subject and body
// filled in. It may be longer than MaxFormURL; see TooLong.
func (d Draft) FormURL() string {
	subject, body := d.Text()
	return FormAddress + "?subject=" + url.QueryEscape(subject) + "&body=" + url.QueryEscape(body)
}

// TooLong reports whether the form address is too long to open (MaxFormURL).
func (d Draft) TooLong() bool { return len(d.FormURL()) > MaxFormURL }
