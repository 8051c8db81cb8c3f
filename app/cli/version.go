package cli

import (
	"regexp"
)

var versionLine = regexp.MustCompile(`(?m)^\s*Version\s*=\s*"([^"]+)"`)

// VersionFromFyneApp reads the Version of FyneApp.toml's [Details], the one
// source of the program's version; "dev" if it has none.
func VersionFromFyneApp(toml string) string {
	if m := versionLine.FindStringSubmatch(toml); m != nil {
		return m[1]
	}
	return "dev"
}
