package cli

import "testing"

func TestVersionFromFyneApp(t *testing.T) {
	cases := map[string]string{
		"[Details]\nIcon = \"a.png\"\nVersion = \"1.2.3\"\nBuild = 4\n": "1.2.3",
		"[Details]\n  Version=\"0.1.0-rc1\"\n":                          "0.1.0-rc1",
		"[Details]\nName = \"x\"\n":                                     "dev",
	}
	for in, want := range cases {
		if got := VersionFromFyneApp(in); got != want {
			t.Errorf("VersionFromFyneApp(%q) = %q, want %q", in, got, want)
		}
	}
}
