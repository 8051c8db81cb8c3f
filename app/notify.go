package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/skymap"
)

// NotifyRule says which newly archived alerts raise a desktop notification.
// Empty fields do not narrow.
type NotifyRule struct {
	// Name is what the notification and the rules list call the rule.
	Name string `json:"name"`
	// Disabled keeps the rule without using it.
	Disabled bool `json:"disabled,omitempty"`
	// Source is a substring of the alert's source or Kafka topic (any case).
	Source string `json:"source,omitempty"`
	// Type is a substring of the alert type or the mission (any case);
	// several, separated by commas, are alternatives ("GBM, IceCube").
	Type string `json:"type,omitempty"`
	// IncludeTest lets test and mock alerts match (they never do otherwise).
	IncludeTest bool `json:"include_test,omitempty"`
	// FARYears, when above 0, asks for a FAR below 1 per FARYears years
	// (an alert with no FAR does not match).
	FARYears float64 `json:"far_years,omitempty"`
	// Cone, when set, asks for a position in a region of the sky.
	Cone *Cone `json:"cone,omitempty"`
	// Class, when set, asks for an LVK alert whose most probable class is
	// one of these (comma-separated: BNS, NSBH, BBH, Terrestrial).
	Class string `json:"class,omitempty"`
	// MinHasNS, above 0, asks for an LVK HasNS probability of at least this (0–1).
	MinHasNS float64 `json:"min_has_ns,omitempty"`
	// Significant asks for LVK alerts marked significant (event.significant).
	Significant bool `json:"significant,omitempty"`
	// MaxArea90, above 0, asks for a sky map's 90% area, or an error
	// circle's area, of at most this many deg² (an alert with neither does
	// not match).
	MaxArea90 float64 `json:"max_area90,omitempty"`
	// MaxDistance, above 0, asks for a sky map's mean distance of at most
	// this many Mpc (an alert with no distance does not match).
	MaxDistance float64 `json:"max_distance,omitempty"`
	// Position asks for an alert with a position: an error circle or a sky map.
	Position bool `json:"position,omitempty"`
	// Retraction makes this a rule for retractions: it matches an alert of
	// a retracted trigger that a notification announced before (whether
	// the alert is a test or not), and the notification is critical.
	// Its Source and Type narrow; the other fields are not used.
	Retraction bool `json:"retraction,omitempty"`
	// Observable, above 0, asks for at least this percentage (0–100) of
	// the alert's sky map or error circle to be observable from Site within
	// WithinHours of its arrival (P_any: at one instant or more; see
	// notify_observe.go).
	Observable float64 `json:"observable,omitempty"`
	// Site names the site for Observable ("": the default site).
	Site string `json:"site,omitempty"`
	// WithinHours is Observable's span in hours (0: 24).
	WithinHours float64 `json:"within_hours,omitempty"`
	// Sound plays a short tone with the notification.
	Sound bool `json:"sound,omitempty"`
	// Channels names the notification channels (Core.Channels) the rule
	// also sends to, from the window or a broker alike.
	Channels []string `json:"channels,omitempty"`
}

// Cone is a circle on the sky (degrees). An alert is inside when its
// position or its sky map's most probable point is; with MinProb above 0
// and a sky map, when the map's probability inside is at least MinProb.
type Cone struct {
	RA      float64 `json:"ra"`
	Dec     float64 `json:"dec"`
	Radius  float64 `json:"radius"`
	MinProb float64 `json:"min_prob,omitempty"`
}

// NotifyConfig is the notification rules and the quiet hours.
type NotifyConfig struct {
	Rules []NotifyRule `json:"rules"`
	// QuietFrom and QuietTo ("22:00", "07:00", local time) bound the hours
	// with no notification nor sound; equal or empty means none.
	QuietFrom string `json:"quiet_from,omitempty"`
	QuietTo   string `json:"quiet_to,omitempty"`
}

// yearSeconds is a Julian year in seconds.
const yearSeconds = 365.25 * 86400

// Match reports whether an alert (its summary, source and Kafka topic)
// matches the rule; m is its decoded sky map or nil.
// A rule for retractions (Retraction) never matches here: see MatchRetraction.
func (r NotifyRule) Match(sm alert.Summary, source, topic string, m *skymap.Map) bool {
	if r.Disabled || r.Retraction || (sm.Test || sm.Role == "test") && !r.IncludeTest || !r.matchWhere(sm, source, topic) {
		return false
	}
	if r.FARYears > 0 && (sm.FAR <= 0 || sm.FAR >= 1/(r.FARYears*yearSeconds)) {
		return false
	}
	if !r.matchGW(sm) {
		return false
	}
	if c := r.Cone; c != nil {
		if c.MinProb > 0 && m != nil {
			return m.ProbInCircle(c.RA, c.Dec, c.Radius) >= c.MinProb
		}
		in := sm.HasPosition && Separation(sm.RA, sm.Dec, c.RA, c.Dec) <= c.Radius
		if s := sm.Skymap; s != nil && Separation(s.RA, s.Dec, c.RA, c.Dec) <= c.Radius {
			in = true
		}
		return in
	}
	return true
}

// MatchRetraction reports whether a rule for retractions (Retraction)
// matches an alert of a retracted trigger that was announced before: only
// its Source and Type narrow.
func (r NotifyRule) MatchRetraction(sm alert.Summary, source, topic string) bool {
	return r.Retraction && !r.Disabled && r.matchWhere(sm, source, topic)
}

// matchWhere checks the rule's Source and Type.
func (r NotifyRule) matchWhere(sm alert.Summary, source, topic string) bool {
	if r.Source != "" && !containsFold(source, r.Source) && !containsFold(topic, r.Source) {
		return false
	}
	if r.Type == "" {
		return true
	}
	for _, t := range strings.Split(r.Type, ",") {
		if t = strings.TrimSpace(t); t != "" && (containsFold(sm.AlertType, t) || containsFold(sm.Mission, t)) {
			return true
		}
	}
	return false
}

// matchGW checks the rule's class, HasNS, significance, area, distance and
// position fields.
func (r NotifyRule) matchGW(sm alert.Summary) bool {
	gw := sm.GW
	if gw == nil {
		gw = &alert.GW{}
	}
	if r.Class != "" {
		top, best := "", 0.0
		for c, p := range gw.Classification {
			if p > best || p == best && c < top {
				top, best = c, p
			}
		}
		found := false
		for _, c := range strings.Split(r.Class, ",") {
			found = found || top != "" && strings.EqualFold(strings.TrimSpace(c), top)
		}
		if !found {
			return false
		}
	}
	if r.MinHasNS > 0 && (gw.HasNS == nil || *gw.HasNS < r.MinHasNS) {
		return false
	}
	if r.Significant && (gw.Significant == nil || !*gw.Significant) {
		return false
	}
	if r.MaxArea90 > 0 {
		area := 0.0
		switch {
		case sm.Skymap != nil && sm.Skymap.Area90 > 0:
			area = sm.Skymap.Area90
		case sm.HasPosition && sm.ErrorDeg > 0:
			area = math.Pi * sm.ErrorDeg * sm.ErrorDeg
		}
		if area <= 0 || area > r.MaxArea90 {
			return false
		}
	}
	if r.MaxDistance > 0 && (sm.Skymap == nil || sm.Skymap.DistMean == nil || *sm.Skymap.DistMean > r.MaxDistance) {
		return false
	}
	if r.Position && !sm.HasPosition && sm.Skymap == nil {
		return false
	}
	return true
}

// NeedsSkymap reports whether matching needs the alert's decoded sky map.
func (r NotifyRule) NeedsSkymap() bool { return r.Cone != nil && r.Cone.MinProb > 0 }

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// Separation is the angle between two directions, in degrees.
func Separation(ra1, dec1, ra2, dec2 float64) float64 {
	const d = math.Pi / 180
	s := math.Sin((dec2-dec1)*d/2)*math.Sin((dec2-dec1)*d/2) +
		math.Cos(dec1*d)*math.Cos(dec2*d)*math.Sin((ra2-ra1)*d/2)*math.Sin((ra2-ra1)*d/2)
	return 2 * math.Asin(math.Sqrt(math.Min(1, s))) / d
}

// Quiet reports whether t (its clock time, in t's location) falls in the quiet hours.
func (cfg NotifyConfig) Quiet(t time.Time) bool {
	from, err1 := clockMinutes(cfg.QuietFrom)
	to, err2 := clockMinutes(cfg.QuietTo)
	if err1 != nil || err2 != nil || from == to {
		return false
	}
	now := t.Hour()*60 + t.Minute()
	if from < to {
		return now >= from && now < to
	}
	return now >= from || now < to // over midnight
}

// clockMinutes parses "HH:MM" into minutes after midnight.
func clockMinutes(s string) (int, error) {
	var h, m int
	if _, err := fmt.Sscanf(strings.TrimSpace(s), "%d:%d", &h, &m); err != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, fmt.Errorf("%q is not a time of day (HH:MM)", s)
	}
	return h*60 + m, nil
}

// Check says in words what is wrong with the configuration, or nil.
func (cfg NotifyConfig) Check() error {
	names := map[string]bool{}
	for _, r := range cfg.Rules {
		if names[strings.TrimSpace(r.Name)] {
			return fmt.Errorf("two rules are named %q", r.Name)
		}
		names[strings.TrimSpace(r.Name)] = true
	}
	if cfg.QuietFrom != "" || cfg.QuietTo != "" {
		if _, err := clockMinutes(cfg.QuietFrom); err != nil {
			return fmt.Errorf("quiet hours start: %v", err)
		}
		if _, err := clockMinutes(cfg.QuietTo); err != nil {
			return fmt.Errorf("quiet hours end: %v", err)
		}
	}
	for _, r := range cfg.Rules {
		if strings.TrimSpace(r.Name) == "" {
			return errors.New("every rule needs a name")
		}
		if r.FARYears < 0 {
			return fmt.Errorf("rule %q: the FAR threshold must be positive", r.Name)
		}
		if r.MinHasNS < 0 || r.MinHasNS > 1 {
			return fmt.Errorf("rule %q: the HasNS probability must be 0…1", r.Name)
		}
		if r.MaxArea90 < 0 || r.MaxDistance < 0 {
			return fmt.Errorf("rule %q: the area and distance limits must be positive", r.Name)
		}
		if err := r.checkObservable(); err != nil {
			return err
		}
		if c := r.Cone; c != nil && (c.Radius <= 0 || c.Radius > 180 || c.Dec < -90 || c.Dec > 90 || c.MinProb < 0 || c.MinProb > 1) {
			return fmt.Errorf("rule %q: the sky region needs Dec −90…90, a radius 0…180° and a probability 0…1", r.Name)
		}
	}
	return nil
}

// notifyFile is the rules file's name in the data directory.
const notifyFile = "notify-rules.json"

// notifySeededKey is the setting that records that the default rules
// were written once, so that a user who deletes them keeps them deleted.
const notifySeededKey = "notify.defaults_seeded"

// DefaultNotifyRules are the rules a fresh data directory starts with,
// shown and editable like any other: significant LVK alerts (not mock),
// every retraction of a trigger that was announced (critical), and GRB and

// RetractionRuleName names the default rule for retractions, and the rule
// a channel's retraction message gives when no rule for retractions names
// the channel: a channel told of a trigger is always told of its retraction.
const RetractionRuleName = "Retractions"

// neutrino positions.
func DefaultNotifyRules() []NotifyRule {
	return []NotifyRule{
		{Name: "Significant GW alerts", Type: "LVK", Significant: true, Sound: true},
		{Name: RetractionRuleName, Retraction: true, Sound: true},
		{Name: "GRB and neutrino positions", Type: "GBM, Swift, SVOM, INTEGRAL, AGILE, IceCube, KM3NeT, AMON", Position: true},
	}
}

// Rules reads the rules from the data directory. A data
// directory that never had rules gets DefaultNotifyRules, written there
// once (by a core that may write); after that a missing file means none.
func (se *Settings) Rules() (NotifyConfig, error) {
	c := se.c
	var cfg NotifyConfig
	b, err := os.ReadFile(filepath.Join(c.DataDir(), notifyFile))
	if errors.Is(err, os.ErrNotExist) {
		ctx := c.ctx
		if _, seeded, err := c.store.GetSetting(ctx, notifySeededKey); err != nil || seeded {
			return cfg, err
		}
		cfg.Rules = DefaultNotifyRules()
		if !c.opt.ReadOnly {
			if err := c.Settings().SaveRules(cfg); err != nil {
				c.log.Warn("default notification rules not written: "+err.Error(), "component", "notify")
			}
		}
		return cfg, nil
	}
	if err != nil {
		return cfg, err
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return cfg, fmt.Errorf("%s: %v", notifyFile, err)
	}
	return cfg, nil
}

// SaveRules checks the rules and writes them atomically (mode 0600)
// to the data directory; the notifier uses them from the next alert on.
func (se *Settings) SaveRules(cfg NotifyConfig) error {
	c := se.c
	if err := cfg.Check(); err != nil {
		return err
	}
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(c.DataDir(), notifyFile+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), filepath.Join(c.DataDir(), notifyFile)); err != nil {
		return err
	}
	// Rules saved once, the defaults are never seeded again.
	return c.store.SetSetting(c.ctx, notifySeededKey, "1")
}

// Describe says what the rule asks for in one line, for the rules lists
// of the window and the command line.
func (r NotifyRule) Describe() string {
	parts := []string{r.Name + ":"}
	if r.Disabled {
		parts = append(parts, "(off)")
	}
	if r.Retraction {
		parts = append(parts, "retractions of triggers notified before (critical)")
	}
	if r.Source != "" {
		parts = append(parts, "source/topic ~ "+r.Source)
	}
	if r.Type != "" {
		parts = append(parts, "type/mission ~ "+r.Type)
	}
	if r.Significant {
		parts = append(parts, "significant")
	}
	if r.Class != "" {
		parts = append(parts, "most probably "+r.Class)
	}
	if r.MinHasNS > 0 {
		parts = append(parts, fmt.Sprintf("HasNS ≥ %g %%", 100*r.MinHasNS))
	}
	if r.FARYears > 0 {
		parts = append(parts, fmt.Sprintf("FAR below 1 per %g years", r.FARYears))
	}
	if r.MaxArea90 > 0 {
		parts = append(parts, fmt.Sprintf("90%% area ≤ %g deg²", r.MaxArea90))
	}
	if r.MaxDistance > 0 {
		parts = append(parts, fmt.Sprintf("distance ≤ %g Mpc", r.MaxDistance))
	}
	if r.Position {
		parts = append(parts, "with a position")
	}
	if c := r.Cone; c != nil {
		s := fmt.Sprintf("within %g° of RA %g° Dec %+g°", c.Radius, c.RA, c.Dec)
		if c.MinProb > 0 {
			s += fmt.Sprintf(" (map: ≥ %g %%)", 100*c.MinProb)
		}
		parts = append(parts, s)
	}
	if r.Observable > 0 {
		parts = append(parts, r.describeObservable())
	}
	if r.IncludeTest {
		parts = append(parts, "tests too")
	}
	if r.Sound {
		parts = append(parts, "♪")
	}
	if len(parts) == 1 {
		parts = append(parts, "every alert")
	}
	if len(r.Channels) > 0 {
		parts = append(parts, "→ "+strings.Join(r.Channels, ", "))
	}
	return strings.Join(parts, " ")
}
