package cli

import (
	"os"
	"runtime/pprof"
)

// cpuProfileFromEnv writes a CPU profile to the file STARLING_CPUPROFILE
// names until stop is called; stop does nothing when the variable is unset or
// the profile could not start (err says why).
func cpuProfileFromEnv() (stop func(), err error) {
	path := os.Getenv("STARLING_CPUPROFILE")
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
