package kafka

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// TopicInfo describes one topic a client may read.
type TopicInfo struct {
	Name       string
	Partitions int
	// Messages counts the records the cluster keeps (end minus start offsets).
	Messages int64
	// Newest is the timestamp of the newest record; zero if none.
	Newest time.Time
	// Error is set when the topic cannot be described (not authorized, …).
	Error string
}

// final reports whether a connection failure is one that retrying cannot
// mend: credentials refused, or a certificate not trusted.
func final(err error) bool {
	var ac *AuthClosedError
	var unknownCA x509.UnknownAuthorityError
	var certErr *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var ke *kerr.Error
	return errors.As(err, &ac) || errors.As(err, &unknownCA) || errors.As(err, &certErr) || errors.As(err, &hostErr) ||
		errors.As(err, &ke) && (ke == kerr.SaslAuthenticationFailed || ke == kerr.UnsupportedSaslMechanism)
}

// ListTopics lists the topics cfg's credentials can see, with their
// partition counts, sizes and newest record's time. It is also the quickest
// way to check credentials: a wrong password fails here, in words.
func ListTopics(ctx context.Context, cfg Config) ([]TopicInfo, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	connErr := &lastError{}
	cl, err := kgo.NewClient(clientOptions(cfg, newTokenSource(cfg), connErr)...)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	// Refused credentials and untrusted certificates will not get better
	// by retrying: give up at once instead of at the timeout.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	connErr.setWatch(func(err error) {
		if err != nil && final(connErr.get()) {
			cancel()
		}
	})
	meta := kmsg.NewPtrMetadataRequest()
	meta.Topics = nil // all topics
	resp, err := meta.RequestWith(ctx, cl)
	if err != nil {
		return nil, pingError(err, connErr)
	}
	var out []TopicInfo
	parts := map[string][]int32{}
	for _, t := range resp.Topics {
		if t.Topic == nil || t.IsInternal {
			continue
		}
		ti := TopicInfo{Name: *t.Topic, Partitions: len(t.Partitions)}
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			ti.Error = Explain(err)
		}
		out = append(out, ti)
		for _, p := range t.Partitions {
			parts[*t.Topic] = append(parts[*t.Topic], p.Partition)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	byName := map[string]*TopicInfo{}
	for i := range out {
		byName[out[i].Name] = &out[i]
	}
	// Kafka's special timestamps: -2 the log start, -1 its end, -3 the
	// record with the largest timestamp (KIP-734).
	for _, ts := range []int64{-2, -1, -3} {
		for _, p := range listOffsets(ctx, cl, parts, ts) {
			ti := byName[p.topic]
			switch ts {
			case -2:
				ti.Messages -= p.offset
			case -1:
				ti.Messages += p.offset
			case -3:
				if at := time.UnixMilli(p.timestamp); p.timestamp > 0 && at.After(ti.Newest) {
					ti.Newest = at
				}
			}
		}
	}
	return out, nil
}

// partitionOffset is one partition's answer to a ListOffsets request.
type partitionOffset struct {
	topic     string
	offset    int64
	timestamp int64
}

// listOffsets asks every partition's leader for the offset at the special
// timestamp ts; partitions that fail are left out.
func listOffsets(ctx context.Context, cl *kgo.Client, parts map[string][]int32, ts int64) []partitionOffset {
	req := kmsg.NewPtrListOffsetsRequest()
	for topic, ps := range parts {
		rt := kmsg.NewListOffsetsRequestTopic()
		rt.Topic = topic
		for _, p := range ps {
			rp := kmsg.NewListOffsetsRequestTopicPartition()
			rp.Partition, rp.Timestamp = p, ts
			rt.Partitions = append(rt.Partitions, rp)
		}
		req.Topics = append(req.Topics, rt)
	}
	var out []partitionOffset
	if len(req.Topics) == 0 {
		return out
	}
	for _, sh := range cl.RequestSharded(ctx, req) {
		if sh.Err != nil {
			continue
		}
		for _, t := range sh.Resp.(*kmsg.ListOffsetsResponse).Topics {
			for _, p := range t.Partitions {
				if p.ErrorCode == 0 {
					out = append(out, partitionOffset{topic: t.Topic, offset: p.Offset, timestamp: p.Timestamp})
				}
			}
		}
	}
	return out
}
