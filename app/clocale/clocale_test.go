package clocale

import (
	"os"
	"testing"
)

func TestFix(t *testing.T) {
	cases := []struct {
		lcAll, lang, language, want string
	}{
		{"", "C.UTF-8", "", "en"},
		{"", "POSIX.UTF-8", "", "en"},
		{"", "en_GB.UTF-8", "", ""},
		{"", "C", "", ""}, // plain C: the toolkit reads it as no locale, fine
		{"fr_FR.UTF-8", "C.UTF-8", "", ""},
		{"", "C.UTF-8", "de", "de"},
	}
	for _, c := range cases {
		t.Setenv("LC_ALL", c.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", c.lang)
		t.Setenv("LANGUAGE", c.language)
		Fix()
		if got := os.Getenv("LANGUAGE"); got != c.want {
			t.Errorf("LC_ALL=%q LANG=%q LANGUAGE=%q: got LANGUAGE=%q, want %q", c.lcAll, c.lang, c.language, got, c.want)
		}
	}
}
