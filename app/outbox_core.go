package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/starling-broker/starling/app/outbox"
	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/endpoint"
)

// Setting keys of the outbox's delivery policy, each a Go duration ("1s",
// "5m", "168h") or a whole number; a negative limit means none.
const (
	keyOutboxBackoffBase = "outbox.backoff_base"
	keyOutboxBackoffCap  = "outbox.backoff_cap"
	keyOutboxTimeout     = "outbox.timeout"
	keyOutboxMaxAttempts = "outbox.max_attempts"
	keyOutboxMaxAge      = "outbox.max_age"
)

// OutboxEntry is one outbox entry as the window lists it.
type OutboxEntry = store.OutboxEntry

// OutboxState is an outbox entry's state.
type OutboxState = store.State

// The outbox states the window tells apart.
const (
	OutboxQueued  = store.StateQueued
	OutboxSending = store.StateSending
	OutboxSent    = store.StateSent
	OutboxRefused = store.StateRefused
	OutboxFailed  = store.StateFailed
	// OutboxCancelled is an entry cancelled by hand.
	OutboxCancelled = store.StateCancelled
)

// outboxOptions reads the outbox's delivery policy from the settings.
func (c *Core) outboxOptions(ctx context.Context) outbox.Options {
	dur := func(key string) time.Duration {
		d, _ := time.ParseDuration(c.setting(ctx, key, ""))
		return d
	}
	return outbox.Options{
		Policy: outbox.Policy{
			BackoffBase: dur(keyOutboxBackoffBase),
			BackoffCap:  dur(keyOutboxBackoffCap),
			MaxAttempts: c.intSetting(ctx, keyOutboxMaxAttempts, 0),
			MaxAge:      dur(keyOutboxMaxAge),
		},
		Timeout: dur(keyOutboxTimeout),
		Checker: c.checker,
		Log:     c.log,
		Kafka:   c.kafkaCluster,
	}
}

// startOutbox creates the outbox worker and starts delivering.
func (c *Core) startOutbox() {
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	c.outbox = outbox.New(c.ctx, c.store, c.outboxOptions(ctx))
	c.outbox.Subscribe(func() { c.changed(ChangeOutbox) })
	if err := c.outbox.Start(); err != nil {
		c.log.Error("the outbox could not recover interrupted entries", "component", "outbox", "err", err)
	}
	c.startSendLog()
}

// stopOutbox stops the outbox worker, aborting attempts still running when ctx ends.
func (c *Core) stopOutbox(ctx context.Context) {
	if c.outbox != nil {
		c.outbox.Stop(ctx)
	}
	c.stopSendLog()
}

// Destination is somewhere events can be sent: the local broker, a saved
// "send" profile or a saved Kafka destination.
type Destination struct {
	Name string
	// Address is "host:port", or for a Kafka topic the outbox's
	// "kafka:SOURCE/TOPIC" (store.KafkaDestination).
	Address string
	// Local is true for the local broker.
	Local bool
	// KafkaSource and Topic are set for a Kafka topic: the saved Kafka
	// source whose cluster it is on, and the topic.
	KafkaSource, Topic string
}

// Label is how the destination is shown: "name (host:port)", or
// "name (kafka: TOPIC on SOURCE)".
func (d Destination) Label() string {
	if d.Topic != "" {
		return d.Name + " (kafka: " + d.Topic + " on " + d.KafkaSource + ")"
	}
	return d.Name + " (" + d.Address + ")"
}

// Where says where the destination sends, without its name: "host:port"
// or "kafka: TOPIC on SOURCE".
func (d Destination) Where() string {
	if d.Topic != "" {
		return "kafka: " + d.Topic + " on " + d.KafkaSource
	}
	return d.Address
}

// LocalDestinationName names the local broker among the destinations.
const LocalDestinationName = "local broker"

// Destinations lists the local broker, then the saved send profiles and
// Kafka destinations by name.
func (ob *Outbox) Destinations(ctx context.Context) ([]Destination, error) {
	c := ob.c
	port := c.Settings().Broker(ctx).ReceivePort
	out := []Destination{{Name: LocalDestinationName, Address: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Local: true}}
	ps, err := c.store.ListProfiles(ctx, store.AnyProfile)
	if err != nil {
		return out, err
	}
	for _, p := range ps {
		switch p.Kind {
		case store.ProfileSend:
			out = append(out, Destination{Name: p.Name, Address: p.Address()})
		case store.ProfileKafka:
			out = append(out, Destination{Name: p.Name, Address: p.Address(), KafkaSource: p.KafkaSource, Topic: p.Topic})
		}
	}
	return out, nil
}

// SaveKafkaDestination saves (or updates) a Kafka destination: name, the
// saved Kafka source whose cluster and credentials it uses, and the topic.
func (ob *Outbox) SaveKafkaDestination(ctx context.Context, name, source, topic string) error {
	c := ob.c
	name, source, topic = strings.TrimSpace(name), strings.TrimSpace(source), strings.TrimSpace(topic)
	if name == "" {
		return errors.New("a destination needs a name")
	}
	if name == LocalDestinationName {
		return fmt.Errorf("%q is the local broker's name; choose another", name)
	}
	if err := store.CheckTopic(topic); err != nil {
		return err
	}
	if _, err := c.kafkaSourceByName(ctx, source); err != nil {
		return err
	}
	_, err := c.store.SaveProfile(ctx, store.Profile{Name: name, Kind: store.ProfileKafka, KafkaSource: source, Topic: topic})
	return err
}

// SaveDestination saves (or updates) a send profile: a name and "host[:port]".
func (ob *Outbox) SaveDestination(ctx context.Context, name, addr string) error {
	c := ob.c
	name = strings.TrimSpace(name)
	if name == "" {
		return errors.New("a destination needs a name")
	}
	if name == LocalDestinationName {
		return fmt.Errorf("%q is the local broker's name; choose another", name)
	}
	_, err := c.saveSendProfile(ctx, name, addr)
	return err
}

// ParseProfileAddress reads "host[:port]" (default port 8098) into a profile's host and port.
func ParseProfileAddress(addr string) (store.Profile, error) {
	ep, err := endpoint.Client(strings.TrimSpace(addr), outbox.DefaultPort)
	if err != nil {
		return store.Profile{}, err
	}
	if ep.Network != "tcp" {
		return store.Profile{}, fmt.Errorf("%q: a destination is a host and port", addr)
	}
	host, port := splitHostPort(ep.Address)
	return store.Profile{Host: host, Port: port}, nil
}

// Queue checks raw and queues it for dest; it returns the outbox entry's id,
// or why the event was refused (voevent.Describe words it with its line).
func (ob *Outbox) Queue(ctx context.Context, dest Destination, raw []byte) (int64, error) {
	c := ob.c
	r := c.outbox.Enqueue(ctx, dest.Address, []outbox.Item{{Name: "event", Raw: raw}})[0]
	return r.ID, r.Err
}

// DestinationStates is the live state of every destination with entries waiting.
func (ob *Outbox) DestinationStates() []outbox.DestinationState { return ob.c.outbox.Destinations() }

// Retry sends one entry again now (queued, failed, refused or cancelled).
func (ob *Outbox) Retry(ctx context.Context, id int64) error { return ob.c.outbox.Retry(ctx, id) }

// RetryAll retries every queued or failed entry now and returns how many.
func (ob *Outbox) RetryAll(ctx context.Context) (int64, error) {
	return ob.c.outbox.RetryAll(ctx)
}

// Cancel stops a queued or failed entry from being sent.
func (ob *Outbox) Cancel(ctx context.Context, id int64) error { return ob.c.outbox.Cancel(ctx, id) }

// Delete removes an entry that is not being sent.
func (ob *Outbox) Delete(ctx context.Context, id int64) error { return ob.c.outbox.Delete(ctx, id) }

// RetryDestination makes every queued or failed entry of one
// destination due now and returns how many it touched ("retry now").
func (ob *Outbox) RetryDestination(ctx context.Context, dest string) (int, error) {
	return ob.c.outbox.RetryDestination(ctx, dest)
}

// DestinationNames maps outbox destinations ("host:port" as queued) to their
// names: "local broker" or a send profile's name.
func (ob *Outbox) DestinationNames(ctx context.Context) map[string]string {
	c := ob.c
	ds, _ := c.Outbox().Destinations(ctx)
	out := make(map[string]string, len(ds))
	for _, d := range ds {
		if name, err := outbox.Destination(d.Address); err == nil {
			if _, dup := out[name]; !dup {
				out[name] = d.Name
			}
		}
	}
	return out
}
