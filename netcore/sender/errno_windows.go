package sender

import "syscall"

// The connection errors that the sender words for people, as Winsock numbers
// them (syscall.ECONNREFUSED and friends are Go's invented values on Windows,
// which the network never returns). A write on a connection the peer has
// closed fails with WSAECONNABORTED or WSAECONNRESET; there is no EPIPE.
var (
	errConnRefused error = syscall.Errno(10061) // WSAECONNREFUSED
	errConnReset   error = syscall.WSAECONNRESET
	errBrokenPipe  error = syscall.WSAECONNABORTED
)
