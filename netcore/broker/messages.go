package broker

import (
	"context"
	"fmt"
	"log/slog"
)

// Comet's log messages, word for word, in one place: operators grep for them.
const (
	msgAccepted      = "VOEvent %s received from %s; accepted"
	msgRejected      = "Event rejected (%s); discarding"
	msgForwarded     = "Event %s forwarded to %d of %d subscribers"
	msgReceiving     = "Receiving events on %s (accepting submissions from %s)"
	msgBroadcasting  = "Broadcasting events on %s (accepting subscriptions from %s)"
	msgIncomprehend  = "Incomprehensible data received from %s (role=%s)"
	msgInstallFilter = "Installing filter %s for %s"
	msgBadFilter     = "Filter %s is not valid XPath"
)

// logf writes a Comet message at level, formatting it only when the level
// is on: the per-event lines cost nothing when the log is quieter.
func logf(log *slog.Logger, level slog.Level, attrs []any, format string, args ...any) {
	if log.Enabled(context.Background(), level) {
		log.Log(context.Background(), level, fmt.Sprintf(format, args...), attrs...)
	}
}
