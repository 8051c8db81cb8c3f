package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/kafka"
)

// kafkaTitle is a source's first line: state in words, name, cluster,
// topics and whether credentials are saved (never what they are).
func kafkaTitle(s app.KafkaSource, h kafka.Health) string {
	parts := []string{stateWords(h), s.Name}
	if len(s.Bootstrap) > 0 {
		parts = append(parts, "("+strings.Join(s.Bootstrap, ",")+")")
	}
	if len(s.Topics) == 1 {
		parts = append(parts, "topic "+s.Topics[0])
	} else {
		parts = append(parts, fmt.Sprintf("%d topics", len(s.Topics)))
	}
	switch {
	case s.SecretSet:
		parts = append(parts, "credentials saved")
	case s.Auth != kafka.AuthNone && s.Auth != "":
		parts = append(parts, "no credentials saved")
	}
	return strings.Join(parts, "  ·  ")
}

// stateWords says a source's state in a word or two; the error itself goes
// on the warning line (sourceWarning), where it wraps instead of hiding the
// source's name.
func stateWords(h kafka.Health) string {
	switch h.State {
	case kafka.StateConnecting:
		return "○ connecting…"
	case kafka.StateConsuming:
		return "● consuming"
	case kafka.StatePaused:
		return "‖ paused"
	case kafka.StateError:
		return "✕ error"
	}
	return "○ stopped"
}

// kafkaActivity is the second line: last message, rate, heartbeat age.
func kafkaActivity(h kafka.Health, now time.Time) string {
	var parts []string
	if h.LastMessage.IsZero() {
		parts = append(parts, "no message yet")
	} else {
		parts = append(parts, "last message "+ago(now.Sub(h.LastMessage)))
	}
	parts = append(parts, fmt.Sprintf("%d per minute", h.PerMinute))
	if !h.LastHeartbeat.IsZero() {
		parts = append(parts, kafka.HeartbeatTopic+" "+ago(now.Sub(h.LastHeartbeat)))
	}
	parts = append(parts, fmt.Sprintf("stored %d, duplicates %d, refused %d", h.Stored, h.Duplicates, h.Refused))
	return strings.Join(parts, "  ·  ")
}

// maxLagTopics bounds the topics named on the lag line.
const maxLagTopics = 6

// kafkaLag is the per-topic lag line; topics that lag come first.
func kafkaLag(h kafka.Health) string {
	if len(h.Lag) == 0 {
		return "lag: not known yet"
	}
	topics := make([]string, 0, len(h.Lag))
	for t := range h.Lag {
		topics = append(topics, t)
	}
	sort.Slice(topics, func(i, j int) bool {
		if li, lj := h.Lag[topics[i]], h.Lag[topics[j]]; li != lj {
			return li > lj
		}
		return topics[i] < topics[j]
	})
	var parts []string
	for i, t := range topics {
		if i == maxLagTopics {
			parts = append(parts, fmt.Sprintf("and %d more", len(topics)-maxLagTopics))
			break
		}
		parts = append(parts, fmt.Sprintf("%s %d", t, h.Lag[t]))
	}
	return fmt.Sprintf("lag %d: %s", h.TotalLag(), strings.Join(parts, ", "))
}

// sourceWarning is the row's red line: the error in words, or a warning when
// gcn.heartbeat has gone silent; empty when all is well.
func sourceWarning(h kafka.Health, now time.Time) string {
	if h.State == kafka.StateError && h.Error != "" {
		return "✕ " + h.Error
	}
	if h.State == kafka.StatePaused || !h.HeartbeatSilent(now) {
		return ""
	}
	return fmt.Sprintf("⚠ %s silent for %s (over %s): the cluster may be unreachable", kafka.HeartbeatTopic,
		span(now.Sub(h.LastHeartbeat)), span(kafka.HeartbeatSilence))
}

// ago words a duration for "… ago" texts.
func ago(d time.Duration) string {
	if d < time.Second {
		return "just now"
	}
	return span(d) + " ago"
}

// span words a duration to the second, minute or hour.
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
}
