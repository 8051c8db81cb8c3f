package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/starling-broker/starling/netcore/channel"
)

// Channels are the notification channels (Slack, Matrix, ntfy, email, a
// webhook) that rules send to, and their deliveries. The core that owns
// its data directory (the window's, a broker's) queues a row per
// (channel, notification) in SQLite and sends it; see channeldeliver.go.
type Channels struct{ c *Core }

// Channels are the notification channels.
func (c *Core) Channels() *Channels { return &Channels{c} }

// ChannelState is one channel and how its deliveries go.
type ChannelState struct {
	channel.Config
	// SecretSet says a secret is saved (it is never shown again).
	SecretSet bool
	// Pending, Sent and Failed count its deliveries.
	Pending, Sent, Failed int
	// LastError is why the last attempt failed, in words ("" when the
	// last attempt succeeded); Failures counts the failed attempts in a row.
	LastError string
	Failures  int
	// LastSent is when a message last reached the channel (zero: never).
	LastSent time.Time
}

// channelsKey is the setting holding the channels' configs (JSON).
const channelsKey = "channels"

// collapseKey is the setting holding the collapse window in seconds.
const collapseKey = "channels.collapse_seconds"

// DefaultCollapse is how long after a message of a trigger its next
// updates wait, collapsed into one message.
const DefaultCollapse = 60 * time.Second

// channelName is what a channel's name may be: it names its secret file.
var channelName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// List returns the saved channels, in the order saved.
func (ch *Channels) List() ([]channel.Config, error) {
	v, ok, err := ch.c.store.GetSetting(ch.c.ctx, channelsKey)
	if err != nil || !ok {
		return nil, err
	}
	var cfgs []channel.Config
	if err := json.Unmarshal([]byte(v), &cfgs); err != nil {
		return nil, fmt.Errorf("the saved channels are not readable: %v", err)
	}
	return cfgs, nil
}

// channel returns the saved channel name.
func (ch *Channels) channel(name string) (channel.Config, bool, error) {
	cfgs, err := ch.List()
	if err != nil {
		return channel.Config{}, false, err
	}
	for _, cfg := range cfgs {
		if cfg.Name == name {
			return cfg, true, nil
		}
	}
	return channel.Config{}, false, nil
}

// secretName is the name of a channel's secret file.
func secretName(name string) string { return "channel-" + name }

// Save adds the channel cfg, or replaces the one of its name. secret is
// its token, password or signing key, written to its own file (0600);
// "" keeps the secret saved before, if any. Its failed deliveries are
// tried again.
func (ch *Channels) Save(cfg channel.Config, secret string) error {
	c := ch.c
	if !channelName.MatchString(cfg.Name) {
		return fmt.Errorf("the channel name %q must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", cfg.Name)
	}
	if err := cfg.Check(); err != nil {
		return err
	}
	cfgs, err := ch.List()
	if err != nil {
		return err
	}
	if secret != "" {
		if err := c.writeSecretFile(secretName(cfg.Name), secret); err != nil {
			return err
		}
	}
	i := slices.IndexFunc(cfgs, func(x channel.Config) bool { return x.Name == cfg.Name })
	if i >= 0 {
		cfgs[i] = cfg
	} else {
		cfgs = append(cfgs, cfg)
	}
	if err := ch.write(cfgs); err != nil {
		return err
	}
	if _, err := c.store.RetryDeliveries(c.ctx, cfg.Name, time.Now()); err != nil {
		return err
	}
	c.log.Info("Notification channel "+strconv.Quote(cfg.Name)+" saved", "component", "channels", "kind", string(cfg.Kind))
	ch.retried(cfg.Name)
	return nil
}

// write saves the channels' configs.
func (ch *Channels) write(cfgs []channel.Config) error {
	b, err := json.Marshal(cfgs)
	if err != nil {
		return err
	}
	return ch.c.store.SetSetting(ch.c.ctx, channelsKey, string(b))
}

// Remove deletes the channel name, its secret and its deliveries. Rules
// that name it send to it no more.
func (ch *Channels) Remove(name string) error {
	c := ch.c
	cfgs, err := ch.List()
	if err != nil {
		return err
	}
	i := slices.IndexFunc(cfgs, func(x channel.Config) bool { return x.Name == name })
	if i < 0 {
		return fmt.Errorf("no channel is named %q", name)
	}
	if err := ch.write(slices.Delete(cfgs, i, i+1)); err != nil {
		return err
	}
	if err := c.store.DeleteDeliveries(c.ctx, name); err != nil {
		return err
	}
	if channelName.MatchString(name) {
		if err := c.removeSecretFile(secretName(name)); err != nil {
			return err
		}
	}
	c.log.Info("Notification channel "+strconv.Quote(name)+" removed", "component", "channels")
	c.changed(ChangeChannels)
	return nil
}

// sender builds the sender of the saved channel cfg, with its secret.
func (ch *Channels) sender(cfg channel.Config) (channel.Sender, error) {
	secret, err := ch.c.readSecretFile(secretName(cfg.Name))
	if err != nil {
		return nil, err
	}
	return channel.New(cfg, secret)
}

// Test sends a test message to the channel name now, past its queue and
// its rate limit, and returns the server's refusal or nil when it
// accepted the message. Its failed deliveries are tried again.
func (ch *Channels) Test(ctx context.Context, name string) error {
	c := ch.c
	cfg, ok, err := ch.channel(name)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("no channel is named %q", name)
	}
	s, err := ch.sender(cfg)
	if err != nil {
		return err
	}
	var b [8]byte
	rand.Read(b[:])
	now := time.Now()
	err = s.Send(ctx, channel.Message{
		Key:   "starling-test-" + hex.EncodeToString(b[:]),
		Title: "Starling test",
		Body:  fmt.Sprintf("A test message from Starling to the channel %q, sent %s.", name, now.UTC().Format("2006-01-02 15:04:05 UTC")),
		Rule:  "test",
		Time:  now,
	})
	if err != nil {
		c.log.Warn("Test message to channel "+strconv.Quote(name)+" failed: "+err.Error(), "component", "channels")
		return err
	}
	c.log.Info("Test message to channel "+strconv.Quote(name)+" accepted", "component", "channels")
	if _, err := c.store.RetryDeliveries(c.ctx, name, time.Now()); err != nil {
		return err
	}
	ch.retried(name)
	return nil
}

// retried tells the delivery worker that a channel's rows are due again.
func (ch *Channels) retried(name string) {
	if w := ch.c.chw; w != nil {
		w.unblock(name)
		w.Kick()
	}
	ch.c.changed(ChangeChannels)
}

// States returns each saved channel with how its deliveries go.
func (ch *Channels) States() ([]ChannelState, error) {
	c := ch.c
	cfgs, err := ch.List()
	if err != nil {
		return nil, err
	}
	counts, err := c.store.ChannelDeliveryCounts(c.ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ChannelState, 0, len(cfgs))
	for _, cfg := range cfgs {
		n := counts[cfg.Name]
		st := ChannelState{Config: cfg, Pending: n.Pending, Sent: n.Sent, Failed: n.Failed, LastSent: n.LastSent,
			LastError: n.LastError, Failures: n.Attempts}
		if _, err := os.Stat(c.secretFile(secretName(cfg.Name))); err == nil {
			st.SecretSet = true
		}
		if w := c.chw; w != nil {
			if e, f, ok := w.health(cfg.Name); ok {
				st.LastError, st.Failures = e, f
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// Collapse is how long after a message of a trigger its next updates wait,
// collapsed into one message (the setting channels.collapse_seconds).
func (ch *Channels) Collapse() time.Duration {
	v, ok, err := ch.c.store.GetSetting(ch.c.ctx, collapseKey)
	if err != nil || !ok {
		return DefaultCollapse
	}
	s, err := strconv.ParseFloat(v, 64)
	if err != nil || s < 0 || math.IsNaN(s) || s > 86400 {
		return DefaultCollapse
	}
	return time.Duration(s * float64(time.Second))
}

// SetCollapse saves the collapse window (0: no collapsing; at most a day).
func (ch *Channels) SetCollapse(d time.Duration) error {
	if d < 0 || d > 24*time.Hour {
		return errors.New("the collapse window must be between 0 and 24 hours")
	}
	if err := ch.c.store.SetSetting(ch.c.ctx, collapseKey, strconv.FormatFloat(d.Seconds(), 'f', -1, 64)); err != nil {
		return err
	}
	ch.c.changed(ChangeChannels | ChangeSettings)
	return nil
}

// deliveryKey is a notification's idempotency key for a channel: the same
// for the same channel, alert and kind of notification.
func deliveryKey(channelName, ivorn string, retraction bool) string {
	kind := "live"
	if retraction {
		kind = "retraction"
	}
	h := sha256.Sum256([]byte(channelName + "\x00" + ivorn + "\x00" + kind))
	return "starling-" + hex.EncodeToString(h[:16])
}
