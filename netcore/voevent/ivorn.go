package voevent

import (
	"fmt"
	"regexp"
	"strings"
)

// IVORN is an IVOA identifier split into its parts, as Comet's parse_ivoid does.
type IVORN struct {
	Authority string // authority ID, e.g. "nasa.gsfc.gcn"
	Resource  string // resource key with its leading "/", or "" when there is none
	LocalID   string // the part after "#", or "" when there is none
}

// String writes the identifier back as ivo://authority/resource#local.
func (i IVORN) String() string {
	s := "ivo://" + i.Authority + i.Resource
	if i.LocalID != "" {
		s += "#" + i.LocalID
	}
	return s
}

// Comet's IVOID_RE (comet/utility/voevent.py), translated to RE2. Python 3's
// \w on text is Unicode-aware, hence [\p{L}\p{N}_]; Python's "$" also matches
// just before a final "\n", hence the optional newline outside the groups.
// Go's regexp picks the same submatches as a backtracking engine would.
const wordClass = `\p{L}\p{N}_`

var ivoidRE = regexp.MustCompile(`^ivo://` +
	`([a-zA-Z0-9][` + wordClass + `\-.~*'()]{2,})` + // authority
	`(/[` + wordClass + `\-.~*'()/]*)?` + `#?` + // resource key
	`([` + wordClass + `\-.~*'()+=/%!$&,;:@?]*)` + // local ID
	`\n?$`)

var authorityRE = regexp.MustCompile(`^[a-zA-Z0-9][` + wordClass + `\-.~*'()]{2,}$`)

// ParseIVORN splits s into authority, resource key and local ID with Comet's
// rules (IVOA Identifiers 2.0): the regular expression of Comet's
// parse_ivoid, then a resource key that contains none of "//", "/../", "/./"
// and does not end in "/". A missing local ID is not an error here (see
// CheckIVORN). The error explains in words what is wrong.
func ParseIVORN(s string) (IVORN, error) {
	m := ivoidRE.FindStringSubmatch(s)
	if m == nil {
		return IVORN{}, fmt.Errorf("invalid IVORN %q: %s", s, diagnoseIVORN(s))
	}
	id := IVORN{Authority: m[1], Resource: m[2], LocalID: m[3]}
	for _, bad := range []string{"//", "/../", "/./"} {
		if strings.Contains(id.Resource, bad) {
			return IVORN{}, fmt.Errorf("invalid IVORN %q: the resource key may not contain %q", s, bad)
		}
	}
	if strings.HasSuffix(id.Resource, "/") {
		return IVORN{}, fmt.Errorf("invalid IVORN %q: the resource key may not end with \"/\"", s)
	}
	return id, nil
}

// diagnoseIVORN says which part of an identifier that fails the regular
// expression is at fault.
func diagnoseIVORN(s string) string {
	if s == "" {
		return "it is empty"
	}
	rest, ok := strings.CutPrefix(s, "ivo://")
	if !ok {
		return `an IVORN starts with "ivo://"`
	}
	auth := rest
	if i := strings.IndexAny(rest, "/#"); i >= 0 {
		auth = rest[:i]
	}
	if !authorityRE.MatchString(auth) {
		return "the authority (after ivo://) must be at least 3 characters, start with a letter or digit " +
			"and contain only letters, digits and - . _ ~ * ' ( )"
	}
	return "it contains a character that is not allowed: the resource key may hold letters, digits, " +
		"- . _ ~ * ' ( ) and /; the local ID after \"#\" may also hold + = % ! $ & , ; : @ ?"
}

// CheckIVORN checks a VOEvent's ivorn attribute as Comet's CheckIVOID does:
// present, well-formed (ParseIVORN), and with a local ID after "#" that names
// this one event. The error is a *Rejection.
func CheckIVORN(s string) error {
	if s == "" {
		return rejectf("Missing ivorn attribute")
	}
	id, err := ParseIVORN(s)
	if err != nil {
		// Comet's words first ("Invalid IVOID: …"), then which part is wrong.
		detail := strings.TrimPrefix(err.Error(), "invalid IVORN ")
		if _, after, ok := strings.Cut(detail, ": "); ok {
			detail = after
		}
		return rejectf("Invalid IVOID: %s (%s)", s, detail)
	}
	if id.LocalID == "" {
		return rejectf("No per-event local ID (IVORN %q has nothing after \"#\": each event needs its own identifier, as in %s#event-1)", s, strings.TrimSuffix(strings.TrimRight(s, "\n"), "#"))
	}
	return nil
}
