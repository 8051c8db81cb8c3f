package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/notice"
	"github.com/starling-broker/starling/netcore/voevent"
)

// maxGroupAlerts bounds the alerts `events show --group` reads of one trigger.
const maxGroupAlerts = 10000

func eventsShow(env Env, args []string) error {
	a := eventsArgs("show", "starling events show KEY [--raw] [--group] [--data-dir DIR]")
	a.add(option{long: "raw", kind: flagBool, help: "write exactly the bytes received"})
	a.add(option{long: "group", kind: flagBool, help: "also the timeline of the alert's trigger: all its alerts in sequence"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 {
		return exitf(exitUsage, "give one key: an IVORN or a JSON alert's sha256:… (see `starling events list`)")
	}
	key := a.positional[0]
	dir := dataDir(a)
	core, err := openCore(env.Context(), a, true, true)
	if errors.Is(err, app.ErrNoData) {
		return exitf(exitFailure, "no event %s in the archive of %s", key, dir)
	}
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	ctx := env.Context()
	row, raw, err := core.Archive().Event(ctx, key)
	if errors.Is(err, app.ErrNotFound) {
		return exitf(exitFailure, "no event %s in the archive of %s", key, dir)
	}
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	if a.isSet("raw") {
		env.Stdout.Write(raw)
		return nil
	}
	if a.isSet("group") {
		if row.Trigger == "" {
			fmt.Fprintf(env.Stdout, "No trigger: %s belongs to no group.\n\n", key)
		} else {
			rows, err := core.Archive().Events(ctx, app.EventQuery{Trigger: row.Trigger, Limit: maxGroupAlerts})
			if err != nil {
				return exitf(exitFailure, "%v", err)
			}
			slices.Reverse(rows) // received order
			printTimeline(env.Stdout, rows, row.ID)
			fmt.Fprintln(env.Stdout)
		}
	}
	printSummary(env.Stdout, row, raw)
	return nil
}

// printTimeline writes a trigger's alerts, given in received order, in their
// sequence (alert.Sequence) with their received times; retractions are
// marked ✗ and the alert shown below *.
func printTimeline(w io.Writer, rows []app.EventRow, this int64) {
	sums := make([]alert.Summary, len(rows))
	for i, r := range rows {
		sums[i] = rowSummary(r)
	}
	g := alert.Timeline(sums)
	head := "Trigger " + g.Trigger
	switch {
	case g.Retracted && g.Test:
		head += " (test; retracted)"
	case g.Retracted:
		head += " (retracted)"
	case g.Test:
		head += " (test)"
	}
	fmt.Fprintln(w, head)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for n, i := range alert.Sequence(sums) {
		r := rows[i]
		mark := " "
		if r.ID == this {
			mark = "*"
		}
		typ := g.Alerts[n]
		if sums[i].Retraction || typ == "Retraction" {
			typ += " ✗" // withdraws the trigger
		}
		fmt.Fprintf(tw, "%s %d.\t%s\treceived %s\t%s\n", mark, n+1, typ, r.Received.UTC().Format("2006-01-02 15:04:05Z"), r.IVORN)
	}
	tw.Flush()
}

// printSummary writes an archived alert's summary and, for a VOEvent, its params.
func printSummary(w io.Writer, row app.EventRow, raw []byte) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	var vs *voevent.Fields
	if row.Format != string(alert.FormatJSON) {
		if ev, err := voevent.Parse(raw); err == nil {
			s := voevent.ReadFields(ev)
			vs = &s
		}
	}
	if row.Format == string(alert.FormatJSON) {
		line("Key", row.IVORN)
	} else {
		line("IVORN", row.IVORN)
		line("Role", row.Role)
	}
	line("Format", orDash(row.Format))
	line("Author", orDash(row.Author))
	if vs != nil {
		line("Date", orDash(vs.Date))
	}
	line("Received", row.Received.UTC().Format("2006-01-02 15:04:05.000Z")+" from "+orDash(row.Source))
	if row.Topic != "" {
		line("Kafka", fmt.Sprintf("%s[%d]@%d", row.Topic, row.Partition, row.Offset))
	}
	for _, f := range [][2]string{{"Mission", row.Mission}, {"Trigger", row.Trigger}, {"Alert type", row.AlertType}} {
		if f[1] != "" {
			line(f[0], f[1])
		}
	}
	if row.Retraction {
		line("Retraction", "yes: this alert withdraws its trigger")
	}
	if isTest(row) {
		line("Test", "yes (test or mock alert)")
	}
	if !row.EventTime.IsZero() {
		line("Event time", row.EventTime.UTC().Format("2006-01-02 15:04:05.000Z"))
	}
	if row.HasPosition {
		pos := fmt.Sprintf("RA %g°, Dec %g°", row.RA, row.Dec)
		if row.ErrorRadius > 0 {
			pos += fmt.Sprintf(" (error radius %g°)", row.ErrorRadius)
		}
		line("Position", pos)
	}
	if row.FAR > 0 {
		line("FAR", fmt.Sprintf("%.3g Hz (%s)", row.FAR, notice.FormatFAR(row.FAR)))
	}
	if row.Significance != "" {
		line("Significance", row.Significance)
	}
	if m := row.Skymap; m != nil {
		line("Sky map", fmt.Sprintf("most probable RA %.3f°, Dec %.3f°; 50%% area %.4g deg², 90%% area %.4g deg²", m.RA, m.Dec, m.Area50, m.Area90))
		if m.DistMean != nil {
			line("", fmt.Sprintf("distance %.4g ± %.4g Mpc", *m.DistMean, *m.DistStd))
		}
		line("", fmt.Sprintf("%d pixels, deepest order %d", m.NPix, m.MaxOrder))
	}
	if row.Note != "" {
		line("Note", row.Note)
	}
	if row.Description != "" {
		line("Description", row.Description)
	}
	if vs != nil {
		for i, p := range vs.Params {
			name := p.Name
			if p.Group != "" {
				name = p.Group + "/" + p.Name
			}
			v := name + " = " + p.Value
			if p.Unit != "" {
				v += " " + p.Unit
			}
			if p.UCD != "" {
				v += "  (" + p.UCD + ")"
			}
			k := ""
			if i == 0 {
				k = "Params"
			}
			line(k, v)
		}
	}
	line("Size", fmt.Sprintf("%d bytes (archive id %d; --raw prints them)", len(raw), row.ID))
	tw.Flush()
}
