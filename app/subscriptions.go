package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/endpoint"
	"github.com/starling-broker/starling/netcore/voevent"
)

// Subscription is a saved subscription to a remote broker and its live state.
type Subscription struct {
	ID      int64
	Address string
	Filters []string
	State   broker.UpstreamState
}

// subscriptions runs the saved subscriptions of the desktop app. Their events
// go through the shared seen-list into the archive and, when the local broker
// runs, on to its subscribers.
type subscriptions struct {
	// on says that this core runs the saved subscriptions and Kafka sources.
	on      bool
	mu      sync.Mutex
	running map[int64]*runningSub
	wg      sync.WaitGroup
}

type runningSub struct {
	sub    *broker.Upstream
	cancel context.CancelFunc
}

func (c *Core) startSubscriptions(ctx context.Context) error {
	c.subs.on = true
	c.subs.running = map[int64]*runningSub{}
	profiles, err := c.store.ListProfiles(ctx, store.ProfileSubscribe)
	if err != nil {
		return err
	}
	for _, p := range profiles {
		c.runSubscription(p)
	}
	return c.startKafkaSources(ctx)
}

func (c *Core) runSubscription(p store.Profile) error {
	ep, err := endpoint.Client(p.Address(), broker.DefaultBroadcastPort)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(c.ctx)
	s := c.b.NewUpstream(broker.UpstreamConfig{Target: ep, Filters: p.Filters, AcceptInvalid: true})
	c.subs.mu.Lock()
	c.subs.running[p.ID] = &runningSub{sub: s, cancel: cancel}
	c.subs.mu.Unlock()
	c.subs.wg.Add(1)
	go func() {
		defer c.subs.wg.Done()
		s.Run(ctx)
	}()
	return nil
}

// AddSubscription saves a subscription to addr ("host[:port]", default port
// 8099) with optional XPath filters, and starts it.
func (so *Sources) AddSubscription(ctx context.Context, addr string, filters []string) error {
	c := so.c
	defer c.changed(ChangeSources)
	if !c.subs.on {
		return errors.New("subscriptions are not running in this process")
	}
	ep, err := endpoint.Client(strings.TrimSpace(addr), broker.DefaultBroadcastPort)
	if err != nil || ep.Network != "tcp" {
		return fmt.Errorf("%q is not a host:port address", addr)
	}
	for _, f := range filters {
		if _, err := voevent.CompileFilter(f); err != nil {
			return fmt.Errorf("filter %q is not valid XPath: %v", f, err)
		}
	}
	host, port := splitHostPort(ep.Address)
	p := store.Profile{Name: "subscription " + ep.Address, Host: host, Port: port, Kind: store.ProfileSubscribe, Filters: filters}
	id, err := c.store.SaveProfile(ctx, p)
	if err != nil {
		return err
	}
	p.ID = id
	return c.runSubscription(p)
}

// Reconnect makes a subscription connect again now, without
// waiting for its backoff.
func (so *Sources) Reconnect(id int64) error {
	c := so.c
	c.subs.mu.Lock()
	r := c.subs.running[id]
	c.subs.mu.Unlock()
	if r == nil {
		return errors.New("that subscription is not running")
	}
	r.sub.Reconnect()
	return nil
}

// RemoveSubscription stops and forgets a subscription.
func (so *Sources) RemoveSubscription(ctx context.Context, id int64) error {
	c := so.c
	defer c.changed(ChangeSources)
	c.subs.mu.Lock()
	if r := c.subs.running[id]; r != nil {
		r.cancel()
		delete(c.subs.running, id)
	}
	c.subs.mu.Unlock()
	return c.store.DeleteProfile(ctx, id)
}

// Subscriptions lists the saved subscriptions with their state.
func (so *Sources) Subscriptions(ctx context.Context) ([]Subscription, error) {
	c := so.c
	profiles, err := c.store.ListProfiles(ctx, store.ProfileSubscribe)
	if err != nil {
		return nil, err
	}
	out := make([]Subscription, 0, len(profiles))
	c.subs.mu.Lock()
	defer c.subs.mu.Unlock()
	for _, p := range profiles {
		s := Subscription{ID: p.ID, Address: p.Address(), Filters: p.Filters}
		if r := c.subs.running[p.ID]; r != nil {
			s.State = r.sub.State()
		}
		out = append(out, s)
	}
	return out, nil
}

func (c *Core) stopSubscriptions() {
	c.stopKafkaSources()
	c.subs.mu.Lock()
	for _, r := range c.subs.running {
		r.cancel()
	}
	c.subs.mu.Unlock()
	c.subs.wg.Wait()
}
