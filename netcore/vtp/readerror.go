package vtp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// DescribeReadError words why reading a frame from a peer failed, as the
// logs and the activity feed give it after the peer's name ("127.0.0.1:5
// timed out after 20 seconds"). frames is how many frames the connection
// had carried (FrameReader.Frames); timeout is the read deadline that a
// timeout hit. The wordings, the receiver's since before Comet parity was
// checked, are:
//
//   - end of stream between frames: "closed the connection without sending
//     anything" (no frame yet) or "closed the connection";
//   - end of stream within a frame: "closed the connection in the middle of
//     a frame (frame of N bytes cut short)";
//   - a read deadline: "timed out after N seconds";
//   - a length of zero: "sent an empty frame";
//   - a length above the limit: "exceeded the length limit: frame of N bytes
//     declared, limit is M", with the little-endian reading when that one
//     would fit ("wrong byte order?");
//   - anything else: "sent an unreadable frame: " and the error.
func DescribeReadError(err error, frames int, timeout time.Duration) string {
	var tooLarge *FrameTooLargeError
	var to interface{ Timeout() bool }
	switch {
	case errors.Is(err, io.EOF) && frames == 0:
		return "closed the connection without sending anything"
	case errors.Is(err, io.EOF):
		return "closed the connection"
	case errors.Is(err, io.ErrUnexpectedEOF):
		var short *cutShortError
		if errors.As(err, &short) {
			return fmt.Sprintf("closed the connection in the middle of a frame (frame of %d bytes cut short)", short.declared)
		}
		return "closed the connection in the middle of a frame"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &to) && to.Timeout():
		return fmt.Sprintf("timed out after %d seconds", int(timeout.Seconds()))
	case errors.Is(err, ErrEmptyFrame):
		return "sent an empty frame"
	case errors.As(err, &tooLarge):
		return "exceeded the length limit: " + err.Error()
	}
	return "sent an unreadable frame: " + err.Error()
}
