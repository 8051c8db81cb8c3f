package bench

// RaiseFileLimit does nothing on Windows, which has no per-process limit on
// open sockets to raise; it returns 0 (unknown).
func RaiseFileLimit() uint64 { return 0 }
