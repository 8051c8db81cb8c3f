package cli

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/compose"
)

func composeArgs() *argSet {
	a := newArgSet("starling compose", "starling compose [--template followup|retraction|supersedes --cites IVORN] [--stream AUTH/STREAM --id ID] [--role test|observation|utility] [--ra DEG --dec DEG --error DEG] [--time T] [--param NAME=VALUE[:UNIT[:UCD]]]... [--description TEXT] [--author IVORN] [--contact NAME] [--email ADDR] [-o FILE] [--data-dir DIR]")
	a.add(option{long: "template", kind: flagValue, meta: "KIND", help: "followup, retraction or supersedes of the event --cites names"})
	a.add(option{long: "cites", kind: flagValue, meta: "IVORN", help: "the event the template cites; filled from the archive when it is there"})
	a.add(option{long: "stream", kind: flagValue, meta: "AUTH/STREAM", help: "the IVORN's authority and stream (a retraction or supersession keeps the cited event's unless given)"})
	a.add(option{long: "id", kind: flagValue, meta: "ID", help: "the IVORN's local ID, after '#' (default: the UTC time)"})
	a.add(option{long: "role", kind: flagValue, meta: "ROLE", help: "test (default), observation or utility"})
	a.add(option{long: "ra", kind: flagValue, meta: "DEG", help: "right ascension, degrees (ICRS)"})
	a.add(option{long: "dec", kind: flagValue, meta: "DEG", help: "declination, degrees (ICRS)"})
	a.add(option{long: "error", kind: flagValue, meta: "DEG", help: "error radius, degrees"})
	a.add(option{long: "time", kind: flagValue, meta: "T", help: "when the event happened: ISO 8601 UTC (2026-12-06T17:00:00.5) or now"})
	a.add(option{long: "param", kind: flagRepeat, meta: "NAME=VALUE[:UNIT[:UCD]]", help: "a What/Param (repeatable); a value holding ':' needs its UNIT and UCD, even empty (T=12:30:00::)"})
	a.add(option{long: "description", kind: flagValue, meta: "TEXT", help: "the event's description"})
	a.add(option{long: "author", kind: flagValue, meta: "IVORN", help: "Who/AuthorIVORN"})
	a.add(option{long: "contact", kind: flagValue, meta: "NAME", help: "Who/Author/contactName"})
	a.add(option{long: "email", kind: flagValue, meta: "ADDR", help: "Who/Author/contactEmail"})
	a.add(option{long: "output", short: "o", kind: flagValue, meta: "FILE", help: "write the document to FILE instead of standard output"})
	dataDirOption(a)
	return a
}

func runCompose(env Env, args []string) error {
	a := composeArgs()
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 0 {
		return exitf(exitUsage, "unexpected argument %q; see --help", a.positional[0])
	}
	ctx := env.Context()
	core, err := openCore(ctx, a, true, true)
	switch {
	case errors.Is(err, app.ErrNoData):
		core = nil
	case err != nil:
		return exitf(exitFailure, "%v", err)
	default:
		defer closeCore(env, core)
	}

	var d compose.Draft
	kind, cites := a.str("template", ""), a.str("cites", "")
	switch {
	case kind == "" && cites != "":
		return exitf(exitUsage, "--cites needs --template followup|retraction|supersedes")
	case kind != "" && cites == "":
		return exitf(exitUsage, "--template needs --cites IVORN: the event it follows up, retracts or supersedes")
	case kind != "" && core != nil:
		var found bool
		d, found, err = core.Archive().Template(ctx, kind, cites)
		if err != nil {
			return exitf(exitUsage, "%v", err)
		}
		if !found {
			fmt.Fprintf(env.Stderr, "starling compose: %s is not in the archive of %s; the template is filled from its IVORN alone\n", cites, core.DataDir())
		}
	case kind != "":
		if d, err = compose.FromIVORN(kind, cites); err != nil {
			return exitf(exitUsage, "%v", err)
		}
	}
	if err := applyComposeFlags(a, &d, time.Now()); err != nil {
		return exitf(exitUsage, "%v", err)
	}
	if d.Stream == "" {
		return exitf(exitUsage, "give --stream AUTH/STREAM: the IVORN will be ivo://AUTH/STREAM#ID")
	}
	if core != nil {
		taken, err := core.Archive().Taken(ctx, d.IVORN())
		if err != nil {
			return exitf(exitFailure, "%v", err)
		}
		if taken {
			return exitf(exitFailure, "%s is already in the archive of %s: receivers would drop a second event with it as a duplicate; give another --id", d.IVORN(), core.DataDir())
		}
	}
	raw, err := d.Build()
	if err != nil {
		var es compose.Errors
		if errors.As(err, &es) {
			var b strings.Builder
			fmt.Fprintf(&b, "starling compose: %s would not validate:", d.IVORN())
			for _, e := range es {
				b.WriteString("\n  " + e.Error())
			}
			return exitBare(exitFailure, b.String())
		}
		return exitf(exitFailure, "%v", err)
	}
	if out := a.str("output", ""); out != "" && out != "-" {
		if err := os.WriteFile(out, raw, 0o644); err != nil {
			return exitf(exitFailure, "%v", err)
		}
		fmt.Fprintf(env.Stderr, "starling compose: wrote %s to %s\n", d.IVORN(), out)
		return nil
	}
	_, err = env.Stdout.Write(raw)
	return err
}

// applyComposeFlags sets what the options give on d (over a template's values).
func applyComposeFlags(a *argSet, d *compose.Draft, now time.Time) error {
	if s := a.str("stream", ""); s != "" {
		d.Stream = strings.TrimPrefix(s, "ivo://")
	}
	d.ID = a.str("id", d.ID)
	if d.ID == "" {
		d.ID = now.UTC().Format("20060102T150405.000Z")
	}
	d.Role = a.str("role", d.Role)
	deg := func(name string, dst *float64) (bool, error) {
		s := a.str(name, "")
		if s == "" {
			return false, nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return false, fmt.Errorf("--%s: %q is not a number of degrees", name, s)
		}
		*dst = v
		return true, nil
	}
	ra, dec := d.RA, d.Dec
	hasRA, err := deg("ra", &ra)
	if err != nil {
		return err
	}
	hasDec, err := deg("dec", &dec)
	if err != nil {
		return err
	}
	switch {
	case hasRA && hasDec:
		d.HasPosition, d.RA, d.Dec = true, ra, dec
	case (hasRA || hasDec) && !d.HasPosition:
		return fmt.Errorf("give both --ra and --dec")
	case hasRA || hasDec:
		d.RA, d.Dec = ra, dec
	}
	if hasErr, err := deg("error", &d.ErrorRadius); err != nil {
		return err
	} else if hasErr && !d.HasPosition {
		return fmt.Errorf("--error needs a position (--ra and --dec)")
	}
	if t := a.str("time", ""); t == "now" {
		d.Time = now.UTC().Format("2006-01-02T15:04:05.000")
	} else if t != "" {
		d.Time = t
	}
	for _, p := range a.list("param") {
		param, err := parseParamFlag(p)
		if err != nil {
			return err
		}
		d.Params = setParam(d.Params, param)
	}
	if a.isSet("description") {
		d.Description = a.str("description", "")
	}
	d.AuthorIVORN = a.str("author", d.AuthorIVORN)
	d.ContactName = a.str("contact", d.ContactName)
	d.ContactEmail = a.str("email", d.ContactEmail)
	return nil
}

// parseParamFlag reads NAME=VALUE[:UNIT[:UCD]]; the dataType is int or
// float when the value reads as one, else string. With more than three
// ':'-separated parts the last two are UNIT and UCD.
func parseParamFlag(s string) (compose.Param, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return compose.Param{}, fmt.Errorf("--param %q: give NAME=VALUE[:UNIT[:UCD]]", s)
	}
	p := compose.Param{Name: strings.TrimSpace(name)}
	parts := strings.Split(rest, ":")
	switch n := len(parts); {
	case n == 1:
		p.Value = parts[0]
	case n == 2:
		p.Value, p.Unit = parts[0], parts[1]
	default:
		p.Value, p.Unit, p.UCD = strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
	}
	if _, err := strconv.ParseInt(p.Value, 10, 64); err == nil {
		p.DataType = "int"
	} else if _, err := strconv.ParseFloat(p.Value, 64); err == nil {
		p.DataType = "float"
	}
	return p, nil
}

// setParam replaces the param of the same name, or adds p.
func setParam(ps []compose.Param, p compose.Param) []compose.Param {
	for i := range ps {
		if ps[i].Name == p.Name {
			ps[i] = p
			return ps
		}
	}
	return append(ps, p)
}
