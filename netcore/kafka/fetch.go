package kafka

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// fetchErrors logs the errors a poll carries and returns the one that ends
// the session, if any. A topic that does not exist yet is not an error.
func (c *Consumer) fetchErrors(fetches kgo.Fetches) error {
	var fatal error
	fetches.EachError(func(topic string, part int32, err error) {
		switch {
		case errors.Is(err, context.Canceled):
		case errors.Is(err, kerr.UnknownTopicOrPartition):
			c.log.Debug("Kafka topic " + topic + " does not exist yet; waiting for it")
		case errors.Is(err, kerr.TopicAuthorizationFailed):
			fatal = fmt.Errorf("topic %s: %w", topic, err)
		default:
			var ke *kerr.Error
			if errors.As(err, &ke) && !ke.Retriable && fatal == nil {
				fatal = err
			} else if fatal == nil && topic == "" {
				fatal = err // a client-level failure: group, auth, connection
			}
			c.log.Debug("Kafka fetch error", "topic", topic, "partition", part, "err", err)
		}
	})
	return fatal
}

// handleFetches stores every record of a poll, concurrently, then passes
// the new events on in order, then commits the offsets.
func (c *Consumer) handleFetches(ctx context.Context, cl *kgo.Client, fetches kgo.Fetches) error {
	var recs []*kgo.Record
	fetches.EachPartition(func(p kgo.FetchTopicPartition) {
		next := int64(-1)
		if n := len(p.Records); n > 0 {
			next = p.Records[n-1].Offset + 1
		}
		c.health.partition(p.Topic, p.Partition, p.HighWatermark, next)
		recs = append(recs, p.Records...)
	})
	if len(recs) == 0 {
		return nil
	}
	afters := make([]func(), len(recs))
	errs := make([]error, len(recs))
	sem := make(chan struct{}, c.cfg.Concurrency)
	var wg sync.WaitGroup
	now := time.Now()
	// Records are stored concurrently, so that they share commits; a copy
	// of an earlier record of the same fetch would race it for the
	// seen-list, so it is dropped here and the first copy wins, in order.
	firsts := make(map[[32]byte]bool, len(recs))
	for i, kr := range recs {
		r := &Record{Topic: kr.Topic, Partition: kr.Partition, Offset: kr.Offset, Time: kr.Timestamp, Value: kr.Value}
		if len(kr.Headers) > 0 {
			r.Headers = make(map[string]string, len(kr.Headers))
			for _, h := range kr.Headers {
				r.Headers[h.Key] = string(h.Value)
			}
		}
		c.health.record(r, now)
		r.Digest, r.HasDigest = sha256.Sum256(kr.Value), true
		if firsts[r.Digest] {
			c.health.outcome(Duplicate)
			continue
		}
		firsts[r.Digest] = true
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			o, after, err := c.handler.Handle(ctx, r)
			if err != nil {
				errs[i] = fmt.Errorf("%s[%d]@%d not stored: %w", r.Topic, r.Partition, r.Offset, err)
				return
			}
			c.health.outcome(o)
			afters[i] = after
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err // nothing committed: the session ends and reads them again
	}
	for _, a := range afters {
		if a != nil {
			a()
		}
	}
	if err := cl.CommitRecords(ctx, recs...); err != nil {
		return fmt.Errorf("committing offsets: %w", err)
	}
	return nil
}
