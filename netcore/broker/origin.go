package broker

import (
	"context"
	"crypto/sha256"
	"time"

	"github.com/starling-broker/starling/netcore/alert"
	"github.com/starling-broker/starling/netcore/describe"
	"github.com/starling-broker/starling/netcore/seen"
)

// Origin says where an incoming alert came from.
type Origin struct {
	// Source names the peer, subscription or Kafka topic, for the log and the archive.
	Source string
	// Kafka locates the record an alert was read from; zero for the others.
	Kafka seen.KafkaRef
	// Test marks the alert as a test whatever it says (a Hopskotch record
	// with the _test header).
	Test bool
	// Digest is the SHA-256 of a JSON alert's bytes when the Kafka consumer
	// has computed it already (HasDigest): ProcessJSON uses it rather than
	// hashing a megabyte again.
	Digest    [32]byte
	HasDigest bool
}

// ProcessFrom is Process for an event whose origin is more than a peer's
// address: a Kafka record. It runs the receiver's checks in full.
func (b *Broker) ProcessFrom(ctx context.Context, raw []byte, origin Origin) Outcome {
	return b.process(ctx, raw, origin, false)
}

// ProcessJSON commits a JSON alert (a GCN notice, an igwn.gwalert, a
// heartbeat) to the seen-list and archive, keyed by the SHA-256 of its bytes,
// with its summary and, when it embeds a sky map, the map's summary and
// compact form (the alert is parsed and its map decoded once, here, before
// the commit: about 10 ms for a 1 MB LVK alert; JSON comes only from Kafka,
// never through the VTP receiver).
// JSON alerts are archived but not relayed: VTP carries only VOEvents.
func (b *Broker) ProcessJSON(ctx context.Context, raw []byte, origin Origin) Outcome {
	b.received.Add(1)
	digest := origin.Digest
	if !origin.HasDigest {
		digest = sha256.Sum256(raw)
	}
	sum, sky := describe.JSONWithMap(origin.Kafka.Topic, raw, &digest, origin.Test)
	rec := seen.Record{
		IVORN: seen.KeyOf(digest), Digest: digest, Source: origin.Source, Received: time.Now(),
		Raw: raw, Format: alert.FormatJSON, Kafka: origin.Kafka, Summary: sum, Skymap: sky,
	}
	return b.admit(ctx, rec, nil)
}
