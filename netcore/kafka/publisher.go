package kafka

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Publisher produces events to one topic, idempotently, with Hopskotch's
// headers (_format, _id, _sender, _test), so that other brokers (and hop
// clients) can read them.
type Publisher struct {
	cl      *kgo.Client
	topic   string
	sender  string
	log     *slog.Logger
	connErr *lastError
}

// NewPublisher connects a publisher to cfg's cluster for topic; sender is
// the local IVO, written in the _sender header.
func NewPublisher(cfg Config, topic, sender string, log *slog.Logger) (*Publisher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if topic == "" {
		return nil, errors.New("no topic to publish to")
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	connErr := &lastError{}
	opts := append(clientOptions(cfg, newTokenSource(cfg), connErr),
		kgo.DefaultProduceTopic(topic),
		kgo.ProducerBatchMaxBytes(MaxRecordBytes),
		kgo.ProducerLinger(0),
		kgo.RequiredAcks(kgo.AllISRAcks()),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, err
	}
	warnInsecure(cfg, log)
	return &Publisher{cl: cl, topic: topic, sender: sender, log: log.With("component", "kafka"), connErr: connErr}, nil
}

// Topic is the topic published to.
func (p *Publisher) Topic() string { return p.topic }

// NewRecordID returns a random _id (a version 4 UUID, as hop-client writes).
func NewRecordID() [16]byte {
	var id [16]byte
	rand.Read(id[:])
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	return id
}

func (p *Publisher) record(m Message) *kgo.Record {
	r := &kgo.Record{Value: m.Value, Headers: []kgo.RecordHeader{
		{Key: HeaderFormat, Value: []byte("voevent")},
		{Key: HeaderID, Value: m.ID[:]},
		{Key: HeaderSender, Value: []byte(p.sender)},
	}}
	if m.Test {
		r.Headers = append(r.Headers, kgo.RecordHeader{Key: HeaderTest, Value: []byte("true")})
	}
	return r
}

// Publish produces one event, with a new random _id, and returns once the
// cluster has acknowledged it, or with the reason it could not.
func (p *Publisher) Publish(ctx context.Context, value []byte, test bool) error {
	return p.PublishAll(ctx, []Message{{Value: value, Test: test, ID: NewRecordID()}})[0]
}

// Message is one event to publish.
type Message struct {
	Value []byte
	// Test sets the _test header.
	Test bool
	// ID is the _id header: the same on every attempt to publish one event,
	// so that a reader can drop a duplicate.
	ID [16]byte
}

// PublishAll produces msgs, in order, with the idempotent producer, and
// returns once the cluster has acknowledged each or could not: errs[i] is
// msgs[i]'s error (a *PublishError), nil once it is acknowledged. Refused
// credentials and untrusted certificates end the wait at once; otherwise
// the client retries until ctx ends.
func (p *Publisher) PublishAll(ctx context.Context, msgs []Message) (errs []error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.connErr.setWatch(func(err error) {
		if err != nil && final(p.connErr.get()) {
			cancel()
		}
	})
	defer p.connErr.setWatch(nil)
	recs := make([]*kgo.Record, len(msgs))
	index := make(map[*kgo.Record]int, len(msgs))
	for i, m := range msgs {
		recs[i] = p.record(m)
		index[recs[i]] = i
	}
	errs = make([]error, len(msgs))
	// The results come in the order the cluster answered.
	for _, res := range p.cl.ProduceSync(ctx, recs...) {
		if res.Err == nil {
			continue
		}
		i := index[res.Record]
		pe := &PublishError{Topic: p.topic, Err: res.Err}
		if ce := p.connErr.get(); ce != nil && (errors.Is(res.Err, context.DeadlineExceeded) || errors.Is(res.Err, context.Canceled)) {
			pe.Err, pe.Unreachable = ce, true
		}
		errs[i] = pe
	}
	return errs
}

// Permanent reports whether a publishing error is one that no retry can
// mend: a record larger than the cluster takes, or one it calls invalid.
func Permanent(err error) bool {
	return errors.Is(err, kerr.MessageTooLarge) || errors.Is(err, kerr.RecordListTooLarge) ||
		errors.Is(err, kerr.InvalidRecord) || errors.Is(err, kerr.CorruptMessage)
}

// PublishError is a record the cluster did not acknowledge.
type PublishError struct {
	Topic string
	Err   error
	// Unreachable is set when no connection to the cluster could be made
	// (refused, host not found, TLS or authentication failed).
	Unreachable bool
}

// Error says why, in words.
func (e *PublishError) Error() string {
	return fmt.Sprintf("publishing to %s: %s", e.Topic, Explain(e.Err))
}

// Unwrap returns the client's error.
func (e *PublishError) Unwrap() error { return e.Err }

// Close waits up to timeout for records in flight, then disconnects.
func (p *Publisher) Close(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := p.cl.Flush(ctx)
	p.cl.Close()
	return err
}
