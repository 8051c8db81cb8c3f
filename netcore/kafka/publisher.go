package kafka

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"time"

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

func (p *Publisher) record(value []byte, test bool) *kgo.Record {
	var id [16]byte
	rand.Read(id[:])
	id[6] = id[6]&0x0f | 0x40 // a version 4 UUID, as hop-client writes
	id[8] = id[8]&0x3f | 0x80
	r := &kgo.Record{Value: value, Headers: []kgo.RecordHeader{
		{Key: HeaderFormat, Value: []byte("voevent")},
		{Key: HeaderID, Value: id[:]},
		{Key: HeaderSender, Value: []byte(p.sender)},
	}}
	if test {
		r.Headers = append(r.Headers, kgo.RecordHeader{Key: HeaderTest, Value: []byte("true")})
	}
	return r
}

// Publish produces one event and returns once the cluster has acknowledged
// it, or with the reason it could not.
func (p *Publisher) Publish(ctx context.Context, value []byte, test bool) error {
	// Refused credentials and untrusted certificates end the wait at once.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.connErr.setWatch(func(err error) {
		if err != nil && final(p.connErr.get()) {
			cancel()
		}
	})
	defer p.connErr.setWatch(nil)
	if err := p.cl.ProduceSync(ctx, p.record(value, test)).FirstErr(); err != nil {
		pe := &PublishError{Topic: p.topic, Err: err}
		if ce := p.connErr.get(); ce != nil && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
			pe.Err, pe.Unreachable = ce, true
		}
		return pe
	}
	return nil
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

// PublishAsync produces one event in the background; a failure is logged.
// The client retries until the record is acknowledged.
func (p *Publisher) PublishAsync(value []byte, test bool, what string) {
	p.cl.Produce(context.Background(), p.record(value, test), func(r *kgo.Record, err error) {
		if err != nil {
			p.log.Error("could not publish "+what+" to Kafka topic "+p.topic, "err", Explain(err))
			return
		}
		p.log.Debug("published "+what, "topic", r.Topic, "partition", r.Partition, "offset", r.Offset)
	})
}

// Close waits up to timeout for records in flight, then disconnects.
func (p *Publisher) Close(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := p.cl.Flush(ctx)
	p.cl.Close()
	return err
}
