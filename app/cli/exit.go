package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit statuses of the commands, one per kind of failure; scripts rely on them.
const (
	exitOK          = 0
	exitNak         = 1 // sendvo: the receiver refused the event
	exitUndelivered = 1 // outbox: something refused, not queued, or left undelivered
	exitFailure     = 1 // the data directory or the store failed
	exitUsage       = 2
	exitUnreachable = 3
	exitTimeout     = 4
	exitBroken      = 5
	exitBadFile     = 6
)

// exitError ends a command with an exit status and, unless Msg is empty, a
// message on standard error (after the command's prefix unless Bare).
type exitError struct {
	Code int
	Msg  string
	Bare bool
}

func (e *exitError) Error() string { return e.Msg }

// exitf ends a command with status code and a message.
func exitf(code int, format string, v ...any) error {
	return &exitError{Code: code, Msg: fmt.Sprintf(format, v...)}
}

// exitStatus ends a command with status code and no message.
func exitStatus(code int) error { return &exitError{Code: code} }

// exitBare ends a command with status code and msg written as is.
func exitBare(code int, msg string) error { return &exitError{Code: code, Msg: msg, Bare: true} }

// withPrefix puts "prefix: " before err's message; any error that is not an
// exitError is a failure (status 1).
func withPrefix(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var e *exitError
	if !errors.As(err, &e) {
		return &exitError{Code: exitFailure, Msg: prefix + ": " + err.Error(), Bare: true}
	}
	if e.Bare || e.Msg == "" {
		return e
	}
	return &exitError{Code: e.Code, Msg: prefix + ": " + e.Msg, Bare: true}
}

// prefixed runs a command whose messages carry prefix.
func prefixed(prefix string, run func(Env, []string) error) func(Env, []string) error {
	return func(env Env, args []string) error { return withPrefix(prefix, run(env, args)) }
}

// report writes err's message on w and returns its exit status.
func report(w io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	code, msg := exitFailure, err.Error()
	var e *exitError
	if errors.As(err, &e) {
		code = e.Code
	}
	if msg != "" {
		if !strings.HasSuffix(msg, "\n") {
			msg += "\n"
		}
		io.WriteString(w, msg)
	}
	return code
}
