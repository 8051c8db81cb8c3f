package endpoint

import "testing"

// FuzzEndpoints parses arbitrary endpoint strings from the command line and
// the window: never a panic, and what parses has a network and an address.
func FuzzEndpoints(f *testing.F) {
	for _, s := range []string{"8098", "tcp:8098", `tcp:8098:interface=\:\:1`, "unix:/x", "h:1", "[::1]:9", "tcp:host=h:port=1", ":", "tcp:", "unix:address="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string, int) (Endpoint, error){Server, Client} {
			e, err := parse(s, 8098)
			if err == nil && (e.Network == "" || e.Address == "") {
				t.Fatalf("%q parsed to an empty endpoint %+v", s, e)
			}
		}
	})
}
