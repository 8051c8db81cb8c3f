//go:build unix

package sender

import "syscall"

// The connection errors that the sender words for people, as this platform
// numbers them.
var (
	errConnRefused error = syscall.ECONNREFUSED
	errConnReset   error = syscall.ECONNRESET
	errBrokenPipe  error = syscall.EPIPE
)
