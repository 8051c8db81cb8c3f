//go:build unix

package app

import "syscall"

// The listen errors that Listen words for people, as this platform numbers them.
var (
	errAddrInUse    error = syscall.EADDRINUSE
	errAccess       error = syscall.EACCES
	errAddrNotAvail error = syscall.EADDRNOTAVAIL
)
