package app

import (
	"path/filepath"
	"testing"
)

func TestDataDirFor(t *testing.T) {
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	appdata := `C:\Users\ada\AppData\Roaming`
	for _, c := range []struct {
		name, goos string
		env        map[string]string
		home, want string
	}{
		{"windows APPDATA", "windows", map[string]string{"APPDATA": appdata}, `C:\Users\ada`, filepath.Join(appdata, "Starling")},
		{"windows no APPDATA", "windows", nil, `C:\Users\ada`, filepath.Join(`C:\Users\ada`, "AppData", "Roaming", "Starling")},
		{"windows STARLING_DATA_DIR wins", "windows", map[string]string{"APPDATA": appdata, "STARLING_DATA_DIR": `D:\alerts`}, "", `D:\alerts`},
		{"linux XDG", "linux", map[string]string{"XDG_DATA_HOME": "/x", "APPDATA": appdata}, "/home/ada", "/x/starling"},
		{"linux home", "linux", nil, "/home/ada", "/home/ada/.local/share/starling"},
		{"darwin STARLING_DATA_DIR wins", "darwin", map[string]string{"STARLING_DATA_DIR": "/d", "XDG_DATA_HOME": "/x"}, "/Users/ada", "/d"},
	} {
		if got := dataDirFor(c.goos, env(c.env), c.home); got != c.want {
			t.Errorf("%s: dataDirFor = %q, want %q", c.name, got, c.want)
		}
	}
}
