package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/compose"
)

func composeArgs() *argSet {
	a := newArgSet("starling compose", "starling compose [--template followup|retraction|supersedes] [--cites IVORN[:TYPE]]... [--stream AUTH/STREAM --id ID] [--role test|observation|utility] [--ra DEG --dec DEG --error DEG] [--time T] [--param [GROUP/]NAME=VALUE[:UNIT[:UCD]]]... [--group-type GROUP=TYPE]... [--importance P] [--inference [PROB][:NAME[:CONCEPT[:RELATION]]]]... [--description TEXT] [--author IVORN] [--contact NAME] [--email ADDR] [-o FILE] [--data-dir DIR]")
	a.add(option{long: "template", kind: flagValue, meta: "KIND", help: "followup, retraction or supersedes of the event the first --cites names"})
	a.add(option{long: "cites", kind: flagRepeat, meta: "IVORN[:TYPE]", help: "a cited event (repeatable); with --template the first is the template's (filled from the archive when it is there, TYPE if given must be the template's), every other one is added as a citation of TYPE: followup (default), supersedes or retraction"})
	a.add(option{long: "stream", kind: flagValue, meta: "AUTH/STREAM", help: "the IVORN's authority and stream (a retraction or supersession keeps the cited event's unless given)"})
	a.add(option{long: "id", kind: flagValue, meta: "ID", help: "the IVORN's local ID, after '#' (default: the UTC time)"})
	a.add(option{long: "role", kind: flagValue, meta: "ROLE", help: "test (default), observation or utility"})
	a.add(option{long: "ra", kind: flagValue, meta: "DEG", help: "right ascension, degrees (ICRS)"})
	a.add(option{long: "dec", kind: flagValue, meta: "DEG", help: "declination, degrees (ICRS)"})
	a.add(option{long: "error", kind: flagValue, meta: "DEG", help: "error radius, degrees"})
	a.add(option{long: "time", kind: flagValue, meta: "T", help: "when the event happened: ISO 8601 UTC (2026-12-06T17:00:00.5) or now"})
	a.add(option{long: "param", kind: flagRepeat, meta: "[GROUP/]NAME=VALUE[:UNIT[:UCD]]", help: "a What/Param (repeatable); GROUP/NAME puts it in What/Group GROUP, made on its first use; a value holding ':' needs its UNIT and UCD, even empty (T=12:30:00::)"})
	a.add(option{long: "group-type", kind: flagRepeat, meta: "GROUP=TYPE", help: "the type of a group some --param GROUP/NAME makes (repeatable)"})
	a.add(option{long: "importance", kind: flagValue, meta: "P", help: "Why@importance, 0 to 1 (needs an inference)"})
	a.add(option{long: "inference", kind: flagRepeat, meta: "[PROB][:NAME[:CONCEPT[:RELATION]]]", help: "a Why/Inference (repeatable; replaces a template's): probability 0 to 1 or empty, the inferred source's name, a concept such as process.variation.burst, and the relation (default associated); NAME and CONCEPT cannot hold ':'"})
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
	kind, cites := a.str("template", ""), ""
	var extra []compose.Citation // the --cites after the template's (all of them without --template)
	for i, s := range a.list("cites") {
		c, typed, err := parseCitesFlag(s)
		if err != nil {
			return exitf(exitUsage, "%v", err)
		}
		if i == 0 && kind != "" {
			if typed && c.Cite != kind {
				return exitf(exitUsage, "--cites %q: the first --cites is the --template %s's event; give its type as %s or leave it out", s, kind, kind)
			}
			cites = c.IVORN
			continue
		}
		extra = append(extra, c)
	}
	switch {
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
	for _, c := range extra {
		d.Citations = setCitation(d.Citations, c)
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
		group, param, err := parseParamFlag(p)
		if err != nil {
			return err
		}
		if group == "" {
			d.Params = setParam(d.Params, param)
			continue
		}
		i := slices.IndexFunc(d.Groups, func(g compose.Group) bool { return g.Name == group })
		if i < 0 {
			d.Groups = append(d.Groups, compose.Group{Name: group})
			i = len(d.Groups) - 1
		}
		d.Groups[i].Params = setParam(d.Groups[i].Params, param)
	}
	for _, s := range a.list("group-type") {
		name, typ, ok := strings.Cut(s, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return fmt.Errorf("--group-type %q: give GROUP=TYPE", s)
		}
		i := slices.IndexFunc(d.Groups, func(g compose.Group) bool { return g.Name == name })
		if i < 0 {
			return fmt.Errorf("--group-type %q: no group %q; give its params with --param %s/NAME=VALUE", s, name, name)
		}
		d.Groups[i].Type = strings.TrimSpace(typ)
	}
	if s := a.str("importance", ""); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("--importance: %q is not a number from 0 to 1", s)
		}
		d.Importance, d.HasImportance = v, true
	}
	if infs := a.list("inference"); len(infs) > 0 {
		d.Inferences = nil
		for _, s := range infs {
			in, err := parseInferenceFlag(s)
			if err != nil {
				return err
			}
			d.Inferences = append(d.Inferences, in)
		}
	}
	if a.isSet("description") {
		d.Description = a.str("description", "")
	}
	d.AuthorIVORN = a.str("author", d.AuthorIVORN)
	d.ContactName = a.str("contact", d.ContactName)
	d.ContactEmail = a.str("email", d.ContactEmail)
	return nil
}

// parseParamFlag reads [GROUP/]NAME=VALUE[:UNIT[:UCD]] and returns the
// group ("" for a top-level param) and the param; the dataType is int or
// float when the value reads as one, else string. With more than three
// ':'-separated parts the last two are UNIT and UCD.
func parseParamFlag(s string) (string, compose.Param, error) {
	name, rest, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(name) == "" {
		return "", compose.Param{}, fmt.Errorf("--param %q: give [GROUP/]NAME=VALUE[:UNIT[:UCD]]", s)
	}
	group := ""
	if g, n, ok := strings.Cut(name, "/"); ok {
		group, name = strings.TrimSpace(g), n
		if group == "" || strings.TrimSpace(name) == "" {
			return "", compose.Param{}, fmt.Errorf("--param %q: give GROUP/NAME=VALUE, with a group and a name", s)
		}
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
	return group, p, nil
}

// parseCitesFlag reads IVORN[:TYPE]: TYPE is the part after the last ':'
// when it is followup, supersedes or retraction (typed reports it given);
// else the whole is the IVORN, cited as a follow-up.
func parseCitesFlag(s string) (c compose.Citation, typed bool, err error) {
	c = compose.Citation{IVORN: strings.TrimSpace(s), Cite: compose.CiteFollowup}
	if i := strings.LastIndex(s, ":"); i >= 0 {
		if t := strings.TrimSpace(s[i+1:]); slices.Contains(compose.CiteTypes, t) {
			c.IVORN, c.Cite, typed = strings.TrimSpace(s[:i]), t, true
		}
	}
	if !strings.HasPrefix(c.IVORN, "ivo://") {
		return c, typed, fmt.Errorf("--cites %q: give IVORN[:TYPE], the IVORN starting ivo:// and TYPE followup, supersedes or retraction", s)
	}
	return c, typed, nil
}

// parseInferenceFlag reads [PROB][:NAME[:CONCEPT[:RELATION]]]; the
// relation is associated unless given.
func parseInferenceFlag(s string) (compose.Inference, error) {
	parts := strings.Split(s, ":")
	if len(parts) > 4 {
		return compose.Inference{}, fmt.Errorf("--inference %q: give [PROB][:NAME[:CONCEPT[:RELATION]]]; NAME and CONCEPT cannot hold ':'", s)
	}
	for len(parts) < 4 {
		parts = append(parts, "")
	}
	in := compose.Inference{Name: strings.TrimSpace(parts[1]), Concept: strings.TrimSpace(parts[2]), Relation: strings.TrimSpace(parts[3])}
	if in.Relation == "" {
		in.Relation = "associated"
	}
	if p := strings.TrimSpace(parts[0]); p != "" {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return compose.Inference{}, fmt.Errorf("--inference %q: the probability %q is not a number from 0 to 1", s, p)
		}
		in.Probability, in.HasProbability = v, true
	}
	if in.Name == "" && in.Concept == "" {
		return compose.Inference{}, fmt.Errorf("--inference %q: give a NAME or a CONCEPT ([PROB]:NAME[:CONCEPT[:RELATION]])", s)
	}
	return in, nil
}

// setCitation replaces the citation of the same IVORN, or adds c.
func setCitation(cs []compose.Citation, c compose.Citation) []compose.Citation {
	for i := range cs {
		if cs[i].IVORN == c.IVORN {
			cs[i] = c
			return cs
		}
	}
	return append(cs, c)
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
