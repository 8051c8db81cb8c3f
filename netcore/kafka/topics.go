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
	lo := kmsg.NewPtrListOffsetsRequest()
	for _, t := range resp.Topics {
		if t.Topic == nil || t.IsInternal {
			continue
		}
		ti := TopicInfo{Name: *t.Topic, Partitions: len(t.Partitions)}
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			ti.Error = Explain(err)
		}
		out = append(out, ti)
		lt := kmsg.NewListOffsetsRequestTopic()
		lt.Topic = *t.Topic
		for _, p := range t.Partitions {
			for _, ts := range []int64{-2, -1, -3} {
				lp := kmsg.NewListOffsetsRequestTopicPartition()
				lp.Partition, lp.Timestamp = p.Partition, ts
				lt.Partitions = append(lt.Partitions, lp)
			}
		}
		lo.Topics = append(lo.Topics, lt)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if len(lo.Topics) == 0 {
		return out, nil
	}
	// One request per special timestamp: a partition may appear once per request.
	byName := map[string]*TopicInfo{}
	for i := range out {
		byName[out[i].Name] = &out[i]
	}
	for k, ts := range []int64{-2, -1, -3} {
		req := kmsg.NewPtrListOffsetsRequest()
		for _, t := range lo.Topics {
			rt := kmsg.NewListOffsetsRequestTopic()
			rt.Topic = t.Topic
			for i := k; i < len(t.Partitions); i += 3 {
				rt.Partitions = append(rt.Partitions, t.Partitions[i])
			}
			req.Topics = append(req.Topics, rt)
		}
		shards := cl.RequestSharded(ctx, req)
		for _, sh := range shards {
			if sh.Err != nil {
				continue
			}
			for _, t := range sh.Resp.(*kmsg.ListOffsetsResponse).Topics {
				ti := byName[t.Topic]
				if ti == nil {
					continue
				}
				for _, p := range t.Partitions {
					if p.ErrorCode != 0 {
						continue
					}
					switch ts {
					case -2:
						ti.Messages -= p.Offset
					case -1:
						ti.Messages += p.Offset
					case -3:
						if p.Timestamp > 0 {
							if at := time.UnixMilli(p.Timestamp); at.After(ti.Newest) {
								ti.Newest = at
							}
						}
					}
				}
			}
		}
	}
	return out, nil
}
