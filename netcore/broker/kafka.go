package broker

import (
	"context"
	"fmt"

	"github.com/starling-broker/starling/netcore/kafka"
	"github.com/starling-broker/starling/netcore/seen"
)

// kafkaHandler feeds a Kafka source's records into the broker's pipeline.
type kafkaHandler struct{ b *Broker }

// KafkaHandler returns the handler through which Kafka sources feed the
// broker: a VOEvent goes through exactly the receiver's path (checks,
// seen-list, archive, then handlers and relay); a JSON record is archived
// raw with its summary, deduplicated by its SHA-256; a record with the
// Hopskotch _test header is archived as a test; anything else is counted
// and logged as skipped. A refused record is logged with its reason and its
// topic/partition/offset, and never relayed.
func (b *Broker) KafkaHandler() kafka.Handler { return kafkaHandler{b} }

// Handle stores one record (kafka.Handler).
func (h kafkaHandler) Handle(ctx context.Context, r *kafka.Record) (kafka.Outcome, func(), error) {
	b := h.b
	where := fmt.Sprintf("%s[%d]@%d", r.Topic, r.Partition, r.Offset)
	origin := Origin{Source: kafka.SourceName(r.Topic), Kafka: seen.KafkaRef{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset, Time: r.Time}, Test: r.Test(),
		Digest: r.Digest, HasDigest: r.HasDigest}
	kind, why := kafka.Classify(r)
	var o Outcome
	switch kind {
	case kafka.KindVOEvent:
		o = b.ProcessFrom(ctx, r.Value, origin)
	case kafka.KindJSON:
		o = b.ProcessJSON(ctx, r.Value, origin)
	default:
		b.log.Warn("Kafka record skipped: "+why, "record", where, "bytes", len(r.Value))
		b.notify(Activity{Kind: ActivityDrop, Peer: origin.Source, Reason: "skipped " + where + ": " + why})
		return kafka.Skipped, nil, nil
	}
	switch {
	case o.StoreErr != nil:
		return 0, nil, o.StoreErr
	case o.Accepted:
		b.log.Debug("Kafka record stored", "record", where, "key", o.IVORN)
		ev := o.Event
		return kafka.Stored, func() {
			b.notify(o.ack(origin.Source))
			if ev != nil {
				b.Dispatch(ev, origin.Source)
			}
		}, nil
	case o.Verdict == seen.Duplicate:
		b.log.Debug("Kafka record previously seen; dropped", "record", where, "key", o.IVORN)
		return kafka.Duplicate, nil, nil
	}
	b.log.Warn("Kafka record refused: "+o.Reason, "record", where, "ivorn", o.IVORN)
	b.notify(Activity{Kind: ActivityDrop, IVORN: o.IVORN, Peer: origin.Source, Reason: o.Reason + " (" + where + ")"})
	return kafka.Refused, nil, nil
}
