package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/starling-broker/starling/netcore/kafka"
)

// keyKafkaGroup remembers the consumer group id a broker derived, so that
// it stays the same across restarts.
const keyKafkaGroup = "kafka.group"

// KafkaPublish is where a broker publishes the events it accepts, and how
// it retries.
type KafkaPublish struct {
	kafka.Config
	Topic string
	// RetryBase is the wait after a first failed attempt, doubled after
	// each further one up to RetryCap; AttemptTimeout bounds one attempt
	// (zero: DefaultPublishRetryBase, DefaultPublishRetryCap,
	// DefaultPublishAttemptTimeout).
	RetryBase, RetryCap, AttemptTimeout time.Duration
}

var groupUnsafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// KafkaGroup returns the stored consumer group id, deriving one from the
// local IVO ("starling-" and the IVO's authority and path) and storing it
// the first time.
func (so *Sources) KafkaGroup(ctx context.Context, localIVO string) (string, error) {
	c := so.c
	if g, ok, err := c.store.GetSetting(ctx, keyKafkaGroup); err != nil || ok {
		return g, err
	}
	g := "starling-" + strings.Trim(groupUnsafe.ReplaceAllString(strings.TrimPrefix(localIVO, "ivo://"), "-"), "-")
	return g, c.store.SetSetting(ctx, keyKafkaGroup, g)
}

// kafkaInstanceID is the static group member id of a consumer of group in
// this data directory on this host: the same across restarts, so that a
// broker restarted after a crash takes its place in the group at once.
func (c *Core) kafkaInstanceID(group string) string {
	host, _ := os.Hostname()
	dir, err := filepath.Abs(c.opt.DataDir)
	if err != nil {
		dir = c.opt.DataDir
	}
	sum := sha256.Sum256([]byte(host + "\x00" + dir))
	return group + "-" + hex.EncodeToString(sum[:6])
}
