package app

import "syscall"

// The listen errors that Listen words for people, as Winsock numbers them
// (syscall.EADDRINUSE and friends are Go's invented values on Windows, which
// the network never returns).
var (
	errAddrInUse    error = syscall.Errno(10048) // WSAEADDRINUSE
	errAccess       error = syscall.WSAEACCES
	errAddrNotAvail error = syscall.Errno(10049) // WSAEADDRNOTAVAIL
)
