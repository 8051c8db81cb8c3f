package assets

import _ "embed"

// GCNKafkaTopics lists the GCN Kafka topic names, one a line; lines starting with # are comments.
//
//go:embed gcn-kafka-topics.txt
var GCNKafkaTopics []byte
