package app

import (
	"context"
	"fmt"

	"github.com/starling-broker/starling/app/store"
	"github.com/starling-broker/starling/netcore/kafka"
)

// kafkaSourceByName finds the saved Kafka source called name; an error
// wrapping ErrNotFound names it when there is none.
func (c *Core) kafkaSourceByName(ctx context.Context, name string) (store.KafkaSource, error) {
	ks, err := c.store.ListKafkaSources(ctx)
	if err != nil {
		return store.KafkaSource{}, err
	}
	for _, k := range ks {
		if k.Name == name {
			return k, nil
		}
	}
	return store.KafkaSource{}, fmt.Errorf("no saved Kafka source %q (see `starling settings kafka list`): %w", name, store.ErrNotFound)
}

// kafkaCluster is the outbox's way to a Kafka destination's cluster: the
// saved source's connection and credentials (clusterConfig, as its
// consumer has them), and the local IVO as _sender, as the broker's
// publisher writes.
func (c *Core) kafkaCluster(ctx context.Context, source string) (kafka.Config, string, error) {
	k, err := c.kafkaSourceByName(ctx, source)
	if err != nil {
		return kafka.Config{}, "", err
	}
	secret, err := c.readSecret(k.ID)
	if err != nil {
		return kafka.Config{}, "", err
	}
	return clusterConfig(k, secret), c.Settings().Broker(ctx).LocalIVO, nil
}
