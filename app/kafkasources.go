package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/kafka"
)

// KafkaSource is a Kafka source: as the window or the command line asks
// for one (AddKafka, UpdateKafka, TestKafka), and as saved, with its live
// health (Kafka).
type KafkaSource struct {
	// ID is the saved source's; 0 for one not saved yet.
	ID int64
	// Name labels the source; default the preset's name or the first bootstrap server.
	Name string
	// Preset is "gcn", "gcn-test", "hopskotch" or "" (custom); a preset fills
	// Bootstrap, TLS, Auth, TokenURL and Scope when they are not given.
	Preset    string
	Bootstrap []string
	TLS       bool
	Insecure  bool
	Auth      kafka.Auth
	User      string
	ClientID  string
	// Secret is the password (plain, SCRAM) or client secret (OIDC) given
	// to save. It is kept in a file of the data directory, never in the
	// database, and never given back: a listed source has SecretSet instead.
	Secret string
	// SecretSet says whether a password or client secret is saved.
	SecretSet bool
	TokenURL  string
	Scope     string
	// Topics are names, or regular expressions when they start with ^.
	Topics []string
	// Group is the consumer group; default Sources.KafkaGroup, a dash and the name.
	Group string
	// From is where a new group starts: earliest, latest, a duration ago
	// (24h) or an RFC 3339 time (kafka.ParseFrom).
	From    string
	Paused  bool
	Created time.Time
	// Health is a running source's live health.
	Health kafka.Health
}

// kafkaSources runs the desktop app's saved Kafka sources through the
// subscriptions' broker.
type kafkaSources struct {
	mu      sync.Mutex
	running map[int64]*runningKafka
	wg      sync.WaitGroup
}

type runningKafka struct {
	cons   *kafka.Consumer
	cancel context.CancelFunc
	done   chan struct{}
}

// startKafkaSources starts every saved source (paused ones stay paused).
func (c *Core) startKafkaSources(ctx context.Context) error {
	c.kafka.running = map[int64]*runningKafka{}
	saved, err := c.store.ListKafkaSources(ctx)
	if err != nil {
		return err
	}
	for _, k := range saved {
		if err := c.runKafkaSource(k); err != nil {
			c.log.Warn("Kafka source "+k.Name+" not started: "+err.Error(), "component", "kafka")
		}
	}
	return nil
}

// consumerConfig builds a saved source's consumer configuration with its secret.
func (c *Core) consumerConfig(k store.KafkaSource) (kafka.ConsumerConfig, error) {
	secret, err := c.readSecret(k.ID)
	if err != nil {
		return kafka.ConsumerConfig{}, err
	}
	from, err := kafka.ParseFrom(k.From, time.Now())
	if err != nil {
		return kafka.ConsumerConfig{}, err
	}
	return kafka.ConsumerConfig{Config: clusterConfig(k, secret), Topics: k.Topics, Group: k.Group, From: from}, nil
}

// clusterConfig is how a source reaches its cluster, with its secret as
// the password or the client secret, as its authentication takes it.
func clusterConfig(k store.KafkaSource, secret string) kafka.Config {
	cfg := kafka.Config{Name: k.Name, Bootstrap: k.Bootstrap, TLS: k.TLS, InsecureSkipVerify: k.Insecure,
		Auth: kafka.Auth(k.Auth), TokenURL: k.TokenURL, Scope: k.Scope,
		Credentials: kafka.Credentials{User: k.User, ClientID: k.ClientID}}
	if cfg.Auth == kafka.AuthOIDC {
		cfg.Credentials.ClientSecret = secret
	} else {
		cfg.Credentials.Password = secret
	}
	return cfg
}

// KafkaTest is what a connection test found: the topics the credentials
// can see, and which of the source's named topics the cluster lacks (a
// quiet or missing topic is no error: it may be created later).
type KafkaTest struct {
	Topics  int
	Missing []string
}

// TestKafka connects as spec describes and lists what its credentials
// can see, without saving anything: the error in words when it cannot. For
// a saved source (id above 0) an empty secret stands for the saved one.
func (so *Sources) TestKafka(ctx context.Context, id int64, spec KafkaSource) (KafkaTest, error) {
	c := so.c
	if id > 0 && spec.Secret == "" {
		secret, err := c.readSecret(id)
		if err != nil {
			return KafkaTest{}, err
		}
		spec.Secret = secret
	}
	spec.Group = "connection-test" // resolved without reading the broker's settings
	k, err := c.resolveKafkaSpec(ctx, spec)
	if err != nil {
		return KafkaTest{}, err
	}
	topics, err := kafka.ListTopics(ctx, clusterConfig(k, spec.Secret))
	if err != nil {
		return KafkaTest{}, errors.New(kafka.Explain(err))
	}
	have := make(map[string]bool, len(topics))
	for _, t := range topics {
		have[t.Name] = true
	}
	res := KafkaTest{Topics: len(topics)}
	names, _, _ := kafka.SplitTopics(k.Topics)
	for _, n := range names {
		if !have[n] {
			res.Missing = append(res.Missing, n)
		}
	}
	return res, nil
}

// UpdateKafka saves an edited source and restarts it. Its consumer
// group and start stay, so that it goes on from its committed offsets; an
// empty secret keeps the saved one.
func (so *Sources) UpdateKafka(ctx context.Context, id int64, spec KafkaSource) error {
	c := so.c
	defer c.changed(ChangeSources)
	if !c.subs.on {
		return errors.New("Kafka sources are not running in this process")
	}
	saved, err := c.store.ListKafkaSources(ctx)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(saved, func(k store.KafkaSource) bool { return k.ID == id })
	if i < 0 {
		return fmt.Errorf("Kafka source %d: %w", id, store.ErrNotFound)
	}
	old := saved[i]
	newSecret := spec.Secret
	if newSecret == "" {
		if spec.Secret, err = c.readSecret(id); err != nil {
			return err
		}
	}
	spec.Group, spec.From = old.Group, old.From // a group goes on from its offsets
	k, err := c.resolveKafkaSpec(ctx, spec)
	if err != nil {
		return err
	}
	k.ID, k.Paused, k.Created = id, old.Paused, old.Created
	if err := c.store.UpdateKafkaSource(ctx, k); err != nil {
		return err
	}
	if newSecret != "" {
		if err := c.writeSecret(id, newSecret); err != nil {
			return err
		}
	}
	c.kafka.mu.Lock()
	r := c.kafka.running[id]
	delete(c.kafka.running, id)
	c.kafka.mu.Unlock()
	if r != nil {
		r.cancel()
		select { // leave the group before joining it again
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.log.Info(fmt.Sprintf("Kafka source %s changed: %s, topics %s, group %s", k.Name,
		strings.Join(k.Bootstrap, ","), strings.Join(k.Topics, ","), k.Group), "component", "kafka")
	return c.runKafkaSource(k)
}

func (c *Core) runKafkaSource(k store.KafkaSource) error {
	cfg, err := c.consumerConfig(k)
	if err != nil {
		return err
	}
	cons, err := kafka.NewConsumer(cfg, c.b.KafkaHandler(), c.log)
	if err != nil {
		return err
	}
	id := k.ID
	cons.Watch(func(h kafka.Health) { c.tell(Change{Kind: ChangeSources, Source: SourceHealth{ID: id, Health: h}}) })
	if k.Paused {
		cons.Pause()
	}
	ctx, cancel := context.WithCancel(c.ctx)
	r := &runningKafka{cons: cons, cancel: cancel, done: make(chan struct{})}
	c.kafka.mu.Lock()
	c.kafka.running[id] = r
	c.kafka.mu.Unlock()
	c.kafka.wg.Add(1)
	go func() {
		defer c.kafka.wg.Done()
		defer close(r.done)
		cons.Run(ctx)
	}()
	return nil
}

// resolve fills a spec from its preset and checks it, in words.
func (c *Core) resolveKafkaSpec(ctx context.Context, spec KafkaSource) (store.KafkaSource, error) {
	k := store.KafkaSource{Name: strings.TrimSpace(spec.Name), Preset: spec.Preset, TLS: spec.TLS, Insecure: spec.Insecure,
		Auth: string(spec.Auth), User: strings.TrimSpace(spec.User), ClientID: strings.TrimSpace(spec.ClientID),
		TokenURL: strings.TrimSpace(spec.TokenURL), Scope: strings.TrimSpace(spec.Scope), Group: strings.TrimSpace(spec.Group)}
	for _, b := range spec.Bootstrap {
		if b = strings.TrimSpace(b); b != "" {
			k.Bootstrap = append(k.Bootstrap, b)
		}
	}
	if spec.Preset != "" {
		p, ok := kafka.FindPreset(spec.Preset)
		if !ok {
			return k, fmt.Errorf("unknown preset %q", spec.Preset)
		}
		if len(k.Bootstrap) == 0 {
			k.Bootstrap = p.Bootstrap
		}
		k.TLS = true
		if k.Auth == "" {
			k.Auth = string(p.Auth)
		}
		if k.TokenURL == "" {
			k.TokenURL = p.TokenURL
		}
		if k.Scope == "" {
			k.Scope = p.Scope
		}
	}
	if k.Auth == "" {
		k.Auth = string(kafka.AuthNone)
	}
	if k.Name == "" {
		k.Name = spec.Preset
		if k.Name == "" && len(k.Bootstrap) > 0 {
			k.Name = k.Bootstrap[0]
		}
	}
	cfg := kafka.Config{Bootstrap: k.Bootstrap, Auth: kafka.Auth(k.Auth), TokenURL: k.TokenURL,
		Credentials: kafka.Credentials{User: k.User, Password: spec.Secret, ClientID: k.ClientID, ClientSecret: spec.Secret}}
	if err := cfg.Validate(); err != nil {
		return k, errors.New(strings.NewReplacer(" (--kafka-user, --kafka-password-file)", "",
			" (--kafka-client-id, --kafka-client-secret-file)", "", " (--kafka-token-url)", "",
			" (--kafka-bootstrap or --kafka-preset)", "").Replace(err.Error()))
	}
	names, patterns, err := kafka.SplitTopics(spec.Topics)
	if err != nil {
		return k, err
	}
	k.Topics = append(names, patterns...)
	if len(k.Topics) == 0 {
		return k, errors.New("no topic chosen: tick at least one, or give a name or a ^regular expression")
	}
	from, err := kafka.ParseFrom(spec.From, time.Now())
	if err != nil {
		return k, fmt.Errorf("start from: %v", err)
	}
	k.From = from.String()
	if k.Group == "" {
		// One group per source: two sources sharing a group would split
		// the partitions of a topic they both read, and each miss alerts.
		g, err := c.Sources().KafkaGroup(ctx, c.Settings().Broker(ctx).LocalIVO)
		if err != nil {
			return k, err
		}
		k.Group = g + "-" + strings.Trim(groupUnsafe.ReplaceAllString(k.Name, "-"), "-")
	}
	return k, nil
}

// AddKafka checks and saves a Kafka source, keeps its secret in a file
// of the data directory, and starts it: its events go to the archive and,
// when the local broker runs, on to its subscribers.
func (so *Sources) AddKafka(ctx context.Context, spec KafkaSource) (int64, error) {
	c := so.c
	defer c.changed(ChangeSources)
	if !c.subs.on {
		return 0, errors.New("Kafka sources are not running in this process")
	}
	k, err := c.resolveKafkaSpec(ctx, spec)
	if err != nil {
		return 0, err
	}
	id, err := c.store.AddKafkaSource(ctx, k)
	if err != nil {
		return 0, err
	}
	k.ID = id
	if spec.Secret != "" {
		if err := c.writeSecret(id, spec.Secret); err != nil {
			c.store.DeleteKafkaSource(context.WithoutCancel(ctx), id)
			return 0, err
		}
	}
	if err := c.runKafkaSource(k); err != nil {
		c.store.DeleteKafkaSource(context.WithoutCancel(ctx), id)
		c.removeSecret(id)
		return 0, err
	}
	c.log.Info(fmt.Sprintf("Kafka source %s added: %s, topics %s, group %s, from %s", k.Name,
		strings.Join(k.Bootstrap, ","), strings.Join(k.Topics, ","), k.Group, k.From), "component", "kafka")
	return id, nil
}

// SaveKafka checks and saves a Kafka source and keeps its secret in a
// file of the data directory, without starting it: the desktop app starts
// the saved sources when it starts. For the command line, beside no
// running Starling.
func (so *Sources) SaveKafka(ctx context.Context, spec KafkaSource) (int64, error) {
	c := so.c
	defer c.changed(ChangeSources)
	k, err := c.resolveKafkaSpec(ctx, spec)
	if err != nil {
		return 0, err
	}
	id, err := c.store.AddKafkaSource(ctx, k)
	if err != nil {
		return 0, err
	}
	if spec.Secret != "" {
		if err := c.writeSecret(id, spec.Secret); err != nil {
			c.store.DeleteKafkaSource(context.WithoutCancel(ctx), id)
			return 0, err
		}
	}
	return id, nil
}

// Kafka lists the saved sources with their live health.
func (so *Sources) Kafka(ctx context.Context) ([]KafkaSource, error) {
	c := so.c
	saved, err := c.store.ListKafkaSources(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]KafkaSource, 0, len(saved))
	for _, k := range saved {
		s := KafkaSource{ID: k.ID, Name: k.Name, Preset: k.Preset, Bootstrap: k.Bootstrap, TLS: k.TLS, Insecure: k.Insecure,
			Auth: kafka.Auth(k.Auth), User: k.User, ClientID: k.ClientID, TokenURL: k.TokenURL, Scope: k.Scope,
			Topics: k.Topics, Group: k.Group, From: k.From, Paused: k.Paused, Created: k.Created,
			Health: kafka.Health{Name: k.Name, State: kafka.StateStopped}}
		if secret, err := c.readSecret(k.ID); err == nil {
			s.SecretSet = secret != ""
		}
		if r := c.kafkaRunning(k.ID); r != nil {
			s.Health = r.cons.Health()
		}
		out = append(out, s)
	}
	return out, nil
}

// KafkaHealth returns the live health of every running source, by id. It
// reads memory only, so a window may call it every second.
func (so *Sources) KafkaHealth() map[int64]kafka.Health {
	c := so.c
	c.kafka.mu.Lock()
	defer c.kafka.mu.Unlock()
	out := make(map[int64]kafka.Health, len(c.kafka.running))
	for id, r := range c.kafka.running {
		out[id] = r.cons.Health()
	}
	return out
}

func (c *Core) kafkaRunning(id int64) *runningKafka {
	c.kafka.mu.Lock()
	defer c.kafka.mu.Unlock()
	return c.kafka.running[id]
}

// PauseKafka stops reading a source until ResumeKafkaSource; it stays
// paused across restarts.
func (so *Sources) PauseKafka(ctx context.Context, id int64) error {
	c := so.c
	defer c.changed(ChangeSources)
	if err := c.store.SetKafkaSourcePaused(ctx, id, true); err != nil {
		return err
	}
	if r := c.kafkaRunning(id); r != nil {
		r.cons.Pause()
	}
	return nil
}

// ResumeKafka reads a paused source again from its committed offsets.
func (so *Sources) ResumeKafka(ctx context.Context, id int64) error {
	c := so.c
	defer c.changed(ChangeSources)
	if err := c.store.SetKafkaSourcePaused(ctx, id, false); err != nil {
		return err
	}
	if r := c.kafkaRunning(id); r != nil {
		r.cons.Resume()
	}
	return nil
}

// BackfillKafka reads a source's topics again from a point in time
// (resuming it if paused); events already archived are dropped as seen.
func (so *Sources) BackfillKafka(ctx context.Context, id int64, from kafka.From) error {
	c := so.c
	r := c.kafkaRunning(id)
	if r == nil {
		return fmt.Errorf("Kafka source %d is not running", id)
	}
	if err := c.store.SetKafkaSourcePaused(ctx, id, false); err != nil {
		return err
	}
	r.cons.Backfill(from)
	return nil
}

// RemoveKafka stops a source, forgets it and deletes its secret file.
func (so *Sources) RemoveKafka(ctx context.Context, id int64) error {
	c := so.c
	defer c.changed(ChangeSources)
	c.kafka.mu.Lock()
	r := c.kafka.running[id]
	delete(c.kafka.running, id)
	c.kafka.mu.Unlock()
	if r != nil {
		r.cancel()
		select { // leave the group before the source is forgotten
		case <-r.done:
		case <-ctx.Done():
		}
	}
	err := c.store.DeleteKafkaSource(ctx, id)
	if errors.Is(err, store.ErrNotFound) && r != nil {
		err = nil
	}
	return errors.Join(err, c.removeSecret(id))
}

// stopKafkaSources stops every source and waits for them to leave their groups.
func (c *Core) stopKafkaSources() {
	c.kafka.mu.Lock()
	for _, r := range c.kafka.running {
		r.cancel()
	}
	c.kafka.mu.Unlock()
	c.kafka.wg.Wait()
}

// kafkaStatus is the status bar's word on each running Kafka source.
func (c *Core) kafkaStatus(now time.Time) []string {
	hs := c.Sources().KafkaHealth()
	ids := make([]int64, 0, len(hs))
	for id := range hs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []string
	for _, id := range ids {
		h := hs[id]
		mark := "○"
		if h.State == kafka.StateConsuming {
			mark = "●"
		}
		s := fmt.Sprintf("%s %s: %s, lag %d", mark, h.Name, h.State, h.TotalLag())
		if !h.LastHeartbeat.IsZero() {
			s += fmt.Sprintf(", heartbeat %s ago", now.Sub(h.LastHeartbeat).Round(time.Second))
			if h.HeartbeatSilent(now) {
				s += " (SILENT)"
			}
		}
		out = append(out, s)
	}
	return out
}
