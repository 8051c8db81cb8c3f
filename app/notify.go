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
	// Type is a substring of the alert type or the mission (any case).
	Type string `json:"type,omitempty"`
	// IncludeTest lets test and mock alerts match (they never do otherwise).
	IncludeTest bool `json:"include_test,omitempty"`
	// FARYears, when above 0, asks for a FAR below 1 per FARYears years
	// (an alert with no FAR does not match).
	FARYears float64 `json:"far_years,omitempty"`
	// Cone, when set, asks for a position in a region of the sky.
	Cone *Cone `json:"cone,omitempty"`
	// Sound plays a short tone with the notification.
	Sound bool `json:"sound,omitempty"`
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
func (r NotifyRule) Match(sm alert.Summary, source, topic string, m *skymap.Map) bool {
	if r.Disabled || (sm.Test || sm.Role == "test") && !r.IncludeTest {
		return false
	}
	if r.Source != "" && !containsFold(source, r.Source) && !containsFold(topic, r.Source) {
		return false
	}
	if r.Type != "" && !containsFold(sm.AlertType, r.Type) && !containsFold(sm.Mission, r.Type) {
		return false
	}
	if r.FARYears > 0 && (sm.FAR <= 0 || sm.FAR >= 1/(r.FARYears*yearSeconds)) {
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
		if c := r.Cone; c != nil && (c.Radius <= 0 || c.Radius > 180 || c.Dec < -90 || c.Dec > 90 || c.MinProb < 0 || c.MinProb > 1) {
			return fmt.Errorf("rule %q: the sky region needs Dec −90…90, a radius 0…180° and a probability 0…1", r.Name)
		}
	}
	return nil
}

// notifyFile is the rules file's name in the data directory.
const notifyFile = "notify-rules.json"

// LoadNotifyConfig reads the rules from the data directory (none if the file is missing).
func (c *Core) LoadNotifyConfig() (NotifyConfig, error) {
	var cfg NotifyConfig
	b, err := os.ReadFile(filepath.Join(c.DataDir(), notifyFile))
	if errors.Is(err, os.ErrNotExist) {
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

// SaveNotifyConfig checks the rules and writes them atomically (mode 0600)
// to the data directory; the notifier uses them from the next alert on.
func (c *Core) SaveNotifyConfig(cfg NotifyConfig) error {
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
	return os.Rename(f.Name(), filepath.Join(c.DataDir(), notifyFile))
}
