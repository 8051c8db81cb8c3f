//go:build !windows

package main

// leaveOwnConsole is for Windows only (see console_windows.go).
func leaveOwnConsole() {}
