// Package clocale makes a "C.UTF-8" locale (the default of many servers and
// containers) acceptable to the GUI toolkit's language detection, which
// otherwise logs "Error parsing user locale C" from every command. Its init
// must run before fyne.io/fyne/v2/lang's: Go initialises packages in import
// path order among those ready, and this one, importing only os and strings,
// is ready before golang.org/x/text, on which Fyne's lang package waits.
package clocale

import (
	"os"
	"strings"
)

func init() { Fix() }

// Fix sets LANGUAGE=en when the locale in force is a "C.<charset>" one and
// LANGUAGE is unset; it changes nothing otherwise.
func Fix() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, env := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(env); v != "" {
			if strings.HasPrefix(v, "C.") || strings.HasPrefix(v, "POSIX.") {
				os.Setenv("LANGUAGE", "en")
			}
			return
		}
	}
}
