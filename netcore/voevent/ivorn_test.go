package voevent

import (
	"errors"
	"strings"
	"testing"
)

// Character classes of Comet's test_voevent.py (IVOA Identifiers 1.12).
const (
	alphanum    = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	mark        = "-_."
	discouraged = "~*'()"
	unreserved  = alphanum + mark + discouraged
	reserved    = "?;:@!&$,"
	disallowed  = "<>#%\"`?{}|\\^[]+="
)

func TestParseIVORNTable(t *testing.T) {
	cases := []struct {
		in   string
		want *IVORN // nil: refused
		why  string // part of the error
	}{
		{"ivo://authorityID/resourceKey#local_ID", &IVORN{"authorityID", "/resourceKey", "local_ID"}, ""},
		{"ivo://authorityID/rsrc/with/slashes#local/ID/with/slashes", &IVORN{"authorityID", "/rsrc/with/slashes", "local/ID/with/slashes"}, ""},
		{"ivo://authorityID/resourceKey#", &IVORN{"authorityID", "/resourceKey", ""}, ""},
		{"ivo://authorityID#local_ID", &IVORN{"authorityID", "", "local_ID"}, ""},
		{"ivo://authorityID#", &IVORN{"authorityID", "", ""}, ""},
		{"ivo://authorityID/resourceKey", &IVORN{"authorityID", "/resourceKey", ""}, ""},
		{"ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_532871-729", &IVORN{"nasa.gsfc.gcn", "/SWIFT", "BAT_GRB_Pos_532871-729"}, ""},
		{"ivo://nasa.gsfc.gcn/Fermi#GBM_Test_Pos_2019-12-01T17:32:23.00_099999_1-692", &IVORN{"nasa.gsfc.gcn", "/Fermi", "GBM_Test_Pos_2019-12-01T17:32:23.00_099999_1-692"}, ""},
		{"ivo://1auth/rsrc#local", &IVORN{"1auth", "/rsrc", "local"}, ""},
		{"ivo://n_1a.alph-0.02/rsrc#local", &IVORN{"n_1a.alph-0.02", "/rsrc", "local"}, ""},
		{"ivo://auth/user/STScI_1/1a-7z.u#local", &IVORN{"auth", "/user/STScI_1/1a-7z.u", "local"}, ""},
		{"ivo://auth/rsrc#%41+=!$&,;:@?/~*'()", &IVORN{"auth", "/rsrc", "%41+=!$&,;:@?/~*'()"}, ""},
		{"ivo://authreskey#local", &IVORN{"authreskey", "", "local"}, ""},     // Comet cannot tell either
		{"ivo://universität.de/r#l", &IVORN{"universität.de", "/r", "l"}, ""}, // Python's \w is Unicode
		{"ivo://auth/rsrc#local\n", &IVORN{"auth", "/rsrc", "local"}, ""},     // Python's $ before a final newline
		{"ivo://auth/data/..", &IVORN{"auth", "/data/..", ""}, ""},            // only /../ is forbidden
		{"ivo://00aa!000000000", &IVORN{"00aa", "", "!000000000"}, ""},        // Comet's "#?": a local ID may follow the authority directly

		{"", nil, "it is empty"},
		{"ivo://", nil, "authority"},
		{"ivo://#localID", nil, "authority"},
		{"ivo:///resourceKey#", nil, "authority"},
		{"ivo://au/rsrc#local", nil, "at least 3 characters"},
		{"ivo://_auth/rsrc#local", nil, "start with a letter or digit"},
		{"ivo://a2/rsrc#local", nil, "authority"},
		{"ivo://_temporary.id/rsrc#local", nil, "authority"},
		{"ivo://DAT%41/rsrc#local", nil, "authority"},
		{"ivo://de!uni-hd!physics#ari/rsrc#local", nil, ""},
		{"http://nasa.gsfc.gcn/SWIFT#1", nil, `starts with "ivo://"`},
		{"IVO://nasa.gsfc.gcn/SWIFT#1", nil, `starts with "ivo://"`},
		{"nasa.gsfc.gcn/SWIFT#1", nil, `starts with "ivo://"`},
		{"ivo://auth/#local", nil, `may not end with "/"`},
		{"ivo://auth/data/#local", nil, `may not end with "/"`},
		{"ivo://auth/data//other#local", nil, `may not contain "//"`},
		{"ivo://auth/data/c/../d#local", nil, `may not contain "/../"`},
		{"ivo://auth/data/./d#local", nil, `may not contain "/./"`},
		{"ivo://auth/data!g-vo.org#local", nil, "not allowed"},
		{"ivo://auth/user/M%fcller#local", nil, "not allowed"},
		{"ivo://auth/rsrc#loc#al", nil, "not allowed"},
		{"ivo://auth/rsrc#local[1]", nil, "not allowed"},
		{"ivo://auth/rsrc#local id", nil, "not allowed"},
		{"ivo://auth/rsrc#local\n\n", nil, "not allowed"},
	}
	for _, c := range cases {
		got, err := ParseIVORN(c.in)
		switch {
		case c.want == nil && err == nil:
			t.Errorf("ParseIVORN(%q) = %+v, want an error", c.in, got)
		case c.want == nil && !strings.Contains(err.Error(), c.why):
			t.Errorf("ParseIVORN(%q): %v, want it to say %q", c.in, err, c.why)
		case c.want != nil && err != nil:
			t.Errorf("ParseIVORN(%q): %v", c.in, err)
		case c.want != nil && got != *c.want:
			t.Errorf("ParseIVORN(%q) = %+v, want %+v", c.in, got, *c.want)
		}
	}
}

// TestParseIVORNCharacters follows Comet's test_authority_id, test_resource_key and test_fragment.
func TestParseIVORNCharacters(t *testing.T) {
	good := func(auth, rsrc, local string) {
		t.Helper()
		s := "ivo://" + auth + rsrc + "#" + local
		if got, err := ParseIVORN(s); err != nil || got != (IVORN{auth, rsrc, local}) {
			t.Errorf("ParseIVORN(%q) = %+v, %v", s, got, err)
		}
	}
	bad := func(auth, rsrc, local string) {
		t.Helper()
		s := "ivo://" + auth + rsrc + "#" + local
		if got, err := ParseIVORN(s); err == nil {
			t.Errorf("ParseIVORN(%q) = %+v, want an error", s, got)
		}
	}
	bad("au", "/rsrc", "local")
	bad("_auth", "/rsrc", "local")
	for _, c := range unreserved {
		good("auth"+string(c), "/rsrc", "local")
		good("auth", "/rsrc"+string(c), "local")
		good("auth", "/"+string(c)+"rsrc", "local")
	}
	for _, c := range reserved + disallowed {
		bad("auth"+string(c), "/rsrc", "local")
		bad(string(c)+"auth", "/rsrc", "local")
		bad("auth", "/rsrc"+string(c), "local")
		bad("auth", "/"+string(c)+"rsrc", "local")
	}
	bad("auth", "/rsrc/", "local")
	for _, c := range alphanum + "-._~%!$&'()*+,;=:@/?" {
		good("auth", "/rsrc", "local"+string(c))
		good("auth", "/rsrc", string(c)+"local")
	}
	for _, c := range "#[]" {
		bad("auth", "/rsrc", "local"+string(c))
		bad("auth", "/rsrc", string(c)+"local")
	}
}

func TestIVORNString(t *testing.T) {
	for _, s := range []string{"ivo://auth/rsrc#local", "ivo://auth#local", "ivo://auth/rsrc"} {
		id, err := ParseIVORN(s)
		if err != nil || id.String() != s {
			t.Errorf("%q -> %+v -> %q (%v)", s, id, id.String(), err)
		}
	}
}

func TestCheckIVORN(t *testing.T) {
	cases := []struct{ in, reason string }{
		{"ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_532871-729", ""},
		{"ivo://comet.broker/test#", `No per-event local ID (IVORN "ivo://comet.broker/test#" has nothing after "#"`},
		{"ivo://nasa.gsfc.gcn/gcn", `No per-event local ID (IVORN "ivo://nasa.gsfc.gcn/gcn" has nothing after "#": each event needs its own identifier, as in ivo://nasa.gsfc.gcn/gcn#event-1)`},
		{"", "Missing ivorn attribute"},
		{"bad_ivoid", `Invalid IVOID: bad_ivoid (an IVORN starts with "ivo://")`},
		{"ivo://ab/c#d", `Invalid IVOID: ivo://ab/c#d (the authority`},
		{"ivo://abc/d/#e", `Invalid IVOID: ivo://abc/d/#e (the resource key may not end with "/")`},
	}
	for _, c := range cases {
		err := CheckIVORN(c.in)
		if c.reason == "" {
			if err != nil {
				t.Errorf("CheckIVORN(%q): %v", c.in, err)
			}
			continue
		}
		var rej *Rejection
		if !errors.As(err, &rej) {
			t.Errorf("CheckIVORN(%q) = %v, want a *Rejection", c.in, err)
			continue
		}
		if !strings.HasPrefix(rej.Reason, c.reason) {
			t.Errorf("CheckIVORN(%q): %q, want it to start with %q", c.in, rej.Reason, c.reason)
		}
	}
}
