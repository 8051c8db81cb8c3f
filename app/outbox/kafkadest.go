package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/kafka"
	"github.com/starling-broker/starling/netcore/voevent"
)

// KafkaCluster gives the outbox the cluster of the saved Kafka source
// named source, with its credentials, and the _sender to publish as; an
// error wrapping store.ErrNotFound when there is no such source.
type KafkaCluster func(ctx context.Context, source string) (cfg kafka.Config, sender string, err error)

// recordNS is the namespace of the outbox's Hopskotch _id (store.RecordID).
const recordNS = "outbox"

// KafkaRecordID is the Hopskotch _id the outbox gives entry id (of IVORN
// ivorn) on topic: the same on every attempt, before or after a restart,
// so that a reader can drop a copy sent twice.
func KafkaRecordID(id int64, ivorn, topic string) [16]byte {
	return store.RecordID(recordNS, id, ivorn, topic)
}

// kafkaDest is a Kafka destination's producer, owned by its run goroutine:
// made at the first attempt, closed when the goroutine ends or after an
// attempt that could not reach the cluster (so that the next one reads the
// source's connection and credentials afresh).
type kafkaDest struct {
	source, topic string
	pub           *kafka.Publisher
	closeOnce     *sync.Once
}

// close disconnects the producer, if any.
func (k *kafkaDest) close() {
	if k == nil || k.pub == nil {
		return
	}
	pub, once := k.pub, k.closeOnce
	k.pub, k.closeOnce = nil, nil
	once.Do(func() { pub.Close(time.Second) })
}

// sendKafka publishes e to k's topic, with the idempotent producer and
// Hopskotch's headers, and returns once the cluster acknowledged it or
// could not; err is nil only on an acknowledgement.
func (w *Worker) sendKafka(k *kafkaDest, e *store.OutboxEntry) (Result, error) {
	if k.pub == nil {
		if w.opt.Kafka == nil {
			err := errors.New("cannot send to Kafka: no Kafka sources here")
			return Result{Outcome: BadDestination, Reason: err.Error()}, err
		}
		ctx, cancel := context.WithTimeout(w.ctx, storeTimeout)
		cfg, sender, err := w.opt.Kafka(ctx, k.source)
		cancel()
		if errors.Is(err, store.ErrNotFound) {
			err = fmt.Errorf("no saved Kafka source %q (add it again, or queue the event for another destination)", k.source)
			return Result{Outcome: BadDestination, Reason: err.Error()}, err
		}
		if err != nil {
			err = fmt.Errorf("cannot read Kafka source %s: %w", k.source, err)
			return Result{Outcome: Broken, Reason: err.Error()}, err
		}
		pub, err := kafka.NewPublisher(cfg, k.topic, sender, w.opt.Log)
		if err != nil {
			err = fmt.Errorf("Kafka source %s: %w", k.source, err)
			return Result{Outcome: BadDestination, Reason: err.Error()}, err
		}
		k.pub, k.closeOnce = pub, &sync.Once{}
	}
	test := false
	if ev, err := voevent.Parse(e.Raw); err == nil {
		test = ev.Role == "test"
	}
	ctx, cancel := context.WithTimeout(w.ctx, w.opt.Timeout)
	defer cancel()
	// A produce already sent waits for its answer whatever the cancel (the
	// idempotent producer's rule): when Stop aborts, closing the client ends it.
	pub, once := k.pub, k.closeOnce
	stopWatch := context.AfterFunc(w.ctx, func() {
		time.AfterFunc(time.Second, func() { once.Do(func() { pub.Close(0) }) })
	})
	defer stopWatch()
	err := pub.PublishAll(ctx, []kafka.Message{{Value: e.Raw, Test: test, ID: KafkaRecordID(e.ID, e.IVORN, k.topic)}})[0]
	res := KafkaResultOf(err)
	if res.Outcome != Acked && res.Outcome != Naked {
		k.close()
	}
	return res, err
}

// KafkaResultOf turns what kafka.Publisher.PublishAll returned for one
// record into a Result: acknowledged; refused for good (a record the
// cluster can never take, such as one too large); or a failure to retry
// (the cluster unreachable, credentials refused, no answer in time).
func KafkaResultOf(err error) Result {
	if err == nil {
		return Result{Outcome: Acked}
	}
	reason := err.Error()
	var pe *kafka.PublishError
	if errors.As(err, &pe) {
		reason = fmt.Sprintf("Kafka topic %s: %s", pe.Topic, kafka.Explain(pe.Err))
	}
	switch {
	case kafka.Permanent(err):
		return Result{Outcome: Naked, Reason: reason}
	case pe != nil && pe.Unreachable:
		return Result{Outcome: Unreachable, Reason: reason}
	case errors.Is(err, context.DeadlineExceeded):
		return Result{Outcome: TimedOut, Reason: reason + " (no acknowledgement in time)"}
	}
	return Result{Outcome: Broken, Reason: reason}
}
