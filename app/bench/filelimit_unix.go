//go:build unix

package bench

import "syscall"

// RaiseFileLimit lifts the soft limit on open files to the hard limit, so
// that thousands of subscribers fit; it returns the limit now in force (0
// when it cannot be read).
func RaiseFileLimit() uint64 {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) != nil {
		return 0
	}
	if r.Cur < r.Max {
		r.Cur = r.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
		syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r)
	}
	return r.Cur
}
