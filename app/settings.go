package app

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/starling-broker/starling/netcore/broker"
	"github.com/starling-broker/starling/netcore/endpoint"
)

// Setting keys in the store.
const (
	keyLocalIVO      = "broker.local_ivo"
	keyReceivePort   = "broker.receive_port"
	keyBroadcastPort = "broker.broadcast_port"
	keyAllInterfaces = "broker.all_interfaces"
	keyTestInterval  = "broker.test_interval"
	keyWindowWidth   = "window.width"
	keyWindowHeight  = "window.height"
)

// BrokerSettings are the desktop's local broker settings, remembered in the store.
type BrokerSettings struct {
	LocalIVO      string
	ReceivePort   int
	BroadcastPort int
	// AllInterfaces listens on every interface instead of loopback only.
	AllInterfaces bool
	// TestInterval is the seconds between broadcast test events (0 = off).
	TestInterval int
}

// DefaultBrokerSettings are what a new user gets: Comet's ports, loopback only.
func DefaultBrokerSettings() BrokerSettings {
	return BrokerSettings{
		LocalIVO:      "ivo://localhost/starling",
		ReceivePort:   broker.DefaultReceivePort,
		BroadcastPort: broker.DefaultBroadcastPort,
		TestInterval:  3600,
	}
}

// Config turns the settings into a broker configuration.
func (s BrokerSettings) Config() BrokerConfig {
	host := "127.0.0.1"
	if s.AllInterfaces {
		host = ""
	}
	ep := func(port int) endpoint.Endpoint {
		return endpoint.Endpoint{Network: "tcp", Address: net.JoinHostPort(host, strconv.Itoa(port))}
	}
	return BrokerConfig{
		LocalIVO:     s.LocalIVO,
		Receive:      []endpoint.Endpoint{ep(s.ReceivePort)},
		Broadcast:    []endpoint.Endpoint{ep(s.BroadcastPort)},
		TestInterval: time.Duration(s.TestInterval) * time.Second,
	}
}

func (c *Core) setting(ctx context.Context, key, dflt string) string {
	v, ok, err := c.store.GetSetting(ctx, key)
	if err != nil || !ok {
		return dflt
	}
	return v
}

func (c *Core) intSetting(ctx context.Context, key string, dflt int) int {
	n, err := strconv.Atoi(c.setting(ctx, key, ""))
	if err != nil {
		return dflt
	}
	return n
}

// Broker returns the remembered local broker settings.
func (se *Settings) Broker(ctx context.Context) BrokerSettings {
	c := se.c
	d := DefaultBrokerSettings()
	return BrokerSettings{
		LocalIVO:      c.setting(ctx, keyLocalIVO, d.LocalIVO),
		ReceivePort:   c.intSetting(ctx, keyReceivePort, d.ReceivePort),
		BroadcastPort: c.intSetting(ctx, keyBroadcastPort, d.BroadcastPort),
		AllInterfaces: c.setting(ctx, keyAllInterfaces, "false") == "true",
		TestInterval:  c.intSetting(ctx, keyTestInterval, d.TestInterval),
	}
}

// SaveBroker remembers s.
func (se *Settings) SaveBroker(ctx context.Context, s BrokerSettings) error {
	c := se.c
	for k, v := range map[string]string{
		keyLocalIVO:      s.LocalIVO,
		keyReceivePort:   strconv.Itoa(s.ReceivePort),
		keyBroadcastPort: strconv.Itoa(s.BroadcastPort),
		keyAllInterfaces: strconv.FormatBool(s.AllInterfaces),
		keyTestInterval:  strconv.Itoa(s.TestInterval),
	} {
		if err := c.store.SetSetting(ctx, k, v); err != nil {
			return err
		}
	}
	return nil
}

// WindowSize returns the remembered window size, or the defaults.
func (se *Settings) WindowSize(ctx context.Context) (w, h int) {
	return se.c.intSetting(ctx, keyWindowWidth, 1280), se.c.intSetting(ctx, keyWindowHeight, 720)
}

// SaveWindowSize remembers the window size.
func (se *Settings) SaveWindowSize(ctx context.Context, w, h int) error {
	c := se.c
	if err := c.store.SetSetting(ctx, keyWindowWidth, strconv.Itoa(w)); err != nil {
		return err
	}
	return c.store.SetSetting(ctx, keyWindowHeight, strconv.Itoa(h))
}
