package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/notice"
	"github.com/starling-broker/starling/netcore/when"
)

// triggerJSON is one line of `events triggers --json`; scripts read these
// names (the README lists them). The GW keys appear only when known.
type triggerJSON struct {
	Trigger       string     `json:"trigger"`
	Mission       string     `json:"mission,omitempty"`
	Alerts        []string   `json:"alerts"`
	Retracted     bool       `json:"retracted"`
	Test          bool       `json:"test"`
	FirstReceived string     `json:"first_received"`
	LastReceived  string     `json:"last_received"`
	Latest        *eventJSON `json:"latest"`

	Classification map[string]float64 `json:"classification,omitempty"`
	HasNS          *float64           `json:"has_ns,omitempty"`
	HasRemnant     *float64           `json:"has_remnant,omitempty"`
	HasMassGap     *float64           `json:"has_mass_gap,omitempty"`
	Significant    *bool              `json:"significant,omitempty"`
	FARHz          *float64           `json:"far_hz,omitempty"`
	DistMean       *float64           `json:"distmean,omitempty"`
	DistStd        *float64           `json:"diststd,omitempty"`
	Area90         *float64           `json:"area90,omitempty"`
	RA             *float64           `json:"ra,omitempty"`
	Dec            *float64           `json:"dec,omitempty"`
	ErrorDeg       *float64           `json:"error_deg,omitempty"`
	Notified       string             `json:"notified,omitempty"`
}

// newTriggerJSON fills one line of `events triggers --json`; latest is the
// latest alert's row, nil if it could not be read.
func newTriggerJSON(tr app.TriggerState, latest *app.EventRow) triggerJSON {
	j := triggerJSON{Trigger: tr.Trigger, Mission: tr.Mission, Alerts: tr.Alerts(), Retracted: tr.Retracted, Test: tr.Test,
		FirstReceived: tr.FirstReceived.UTC().Format(time.RFC3339Nano), LastReceived: tr.LastReceived.UTC().Format(time.RFC3339Nano),
		Notified: tr.Notified}
	if latest != nil {
		e := newEventJSON(*latest)
		j.Latest = &e
	}
	if g := tr.GW; g != nil {
		j.Classification, j.HasNS, j.HasRemnant, j.HasMassGap, j.Significant = g.Classification, g.HasNS, g.HasRemnant, g.HasMassGap, g.Significant
	}
	positive := func(v float64) *float64 {
		if v > 0 {
			return &v
		}
		return nil
	}
	j.FARHz = positive(tr.FAR)
	if m := tr.Skymap; m != nil {
		j.DistMean, j.DistStd, j.Area90 = m.DistMean, m.DistStd, positive(m.Area90)
	}
	if tr.HasPosition {
		ra, dec := tr.RA, tr.Dec
		j.RA, j.Dec, j.ErrorDeg = &ra, &dec, positive(tr.ErrorDeg)
	}
	return j
}

func eventsTriggers(env Env, args []string) error {
	a := eventsArgs("triggers", "starling events triggers [--since T] [--test] [--json] [--data-dir DIR]")
	a.add(option{long: "since", kind: flagValue, meta: "T", help: "only triggers with an alert received at or after T"})
	a.add(option{long: "test", kind: flagBool, help: "show mock and test triggers too"})
	a.add(option{long: "json", kind: flagBool, help: "one JSON object per trigger (see the README for the keys)"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 0 {
		return exitf(exitUsage, "unexpected argument %q", a.positional[0])
	}
	f := app.TriggerFilter{Test: a.isSet("test")}
	if s := a.str("since", ""); s != "" {
		var err error
		if f.Since, err = when.Start(s, time.Now()); err != nil {
			return exitf(exitUsage, "--since: %v", err)
		}
	}
	var triggers []app.TriggerState
	latest := map[int64]*app.EventRow{}
	core, err := openCore(env.Context(), a, true, true)
	switch {
	case errors.Is(err, app.ErrNoData):
	case err != nil:
		return exitf(exitFailure, "%v", err)
	default:
		defer closeCore(env, core)
		ctx := env.Context()
		if triggers, err = core.Archive().Triggers(ctx, f); err != nil {
			return exitf(exitFailure, "%v", err)
		}
		for _, tr := range triggers {
			if r, _, err := core.Archive().EventByID(ctx, tr.LatestID); err == nil {
				latest[tr.LatestID] = &r
			}
		}
	}
	if a.isSet("json") {
		enc := json.NewEncoder(env.Stdout)
		for _, tr := range triggers {
			if err := enc.Encode(newTriggerJSON(tr, latest[tr.LatestID])); err != nil {
				return exitStatus(exitFailure)
			}
		}
		return nil
	}
	if len(triggers) == 0 {
		fmt.Fprintln(env.Stdout, "No triggers.")
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TRIGGER\tMISSION\tLAST ALERT (UTC)\tALERTS\tSTATE\tDETAILS")
	for _, tr := range triggers {
		state := "live"
		if tr.Retracted {
			state = "RETRACTED"
		}
		if tr.Test {
			state += " (test)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", tr.Trigger, orDash(tr.Mission), tr.LastReceived.UTC().Format("2006-01-02 15:04:05"),
			strings.Join(tr.Alerts(), " → "), state, orDash(triggerDetails(tr)))
	}
	tw.Flush()
	return nil
}

// triggerDetails is one line of what a trigger's latest alerts say: the
// classes above 1 %, HasNS, FAR, distance, 90 % area, or the best position.
func triggerDetails(tr app.TriggerState) string {
	var parts []string
	if g := tr.GW; g != nil {
		names := make([]string, 0, len(g.Classification))
		for c, p := range g.Classification {
			if p >= 0.01 {
				names = append(names, c)
			}
		}
		sort.Slice(names, func(i, j int) bool { return g.Classification[names[i]] > g.Classification[names[j]] })
		for _, c := range names {
			parts = append(parts, fmt.Sprintf("%s %.0f%%", c, 100*g.Classification[c]))
		}
		if g.HasNS != nil {
			parts = append(parts, fmt.Sprintf("HasNS %.0f%%", 100**g.HasNS))
		}
		if g.Significant != nil && !*g.Significant {
			parts = append(parts, "low significance")
		}
	}
	if tr.FAR > 0 {
		parts = append(parts, "FAR "+notice.FormatFAR(tr.FAR))
	}
	if m := tr.Skymap; m != nil {
		if m.DistMean != nil && m.DistStd != nil {
			parts = append(parts, fmt.Sprintf("%.0f ± %.0f Mpc", *m.DistMean, *m.DistStd))
		}
		if m.Area90 > 0 {
			parts = append(parts, fmt.Sprintf("90%% %.0f deg²", m.Area90))
		}
	} else if tr.HasPosition {
		p := fmt.Sprintf("RA %.3f° Dec %+.3f°", tr.RA, tr.Dec)
		if tr.ErrorDeg > 0 {
			p += fmt.Sprintf(" ± %.2g°", tr.ErrorDeg)
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ", ")
}
