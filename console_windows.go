package main

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	kernel32                  = windows.NewLazySystemDLL("kernel32.dll")
	procGetConsoleProcessList = kernel32.NewProc("GetConsoleProcessList")
	procFreeConsole           = kernel32.NewProc("FreeConsole")
)

// leaveOwnConsole closes the console window that Windows opens for a
// console program started by a double-click (starling.exe is one, so that
// `starling.exe broker` and `sendvo` behave in cmd and PowerShell): when this
// process is the console's only one, nobody typed a command in it, and the
// desktop app lets it go. Started from a console, the app keeps it for its log.
func leaveOwnConsole() {
	var pids [2]uint32
	n, _, _ := procGetConsoleProcessList.Call(uintptr(unsafe.Pointer(&pids[0])), uintptr(len(pids)))
	if n == 1 {
		procFreeConsole.Call()
	}
}
