package ui

import (
	"net"
	"strconv"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
)

func listenOn(t *testing.T, port int) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func storageURI(path string) fyne.URI { return storage.NewFileURI(path) }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
