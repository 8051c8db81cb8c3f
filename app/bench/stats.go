// Package bench measures any VTP broker: one-shot submissions (submit) and,
// with subscribers attached, delivery (fanout, soak).
package bench

import (
	"slices"
	"time"
)

// Latencies summarises a set of durations.
type Latencies struct {
	Count                   int
	Min, P50, P90, P99, Max time.Duration
	Mean                    time.Duration
}

// Summarise computes percentiles (nearest rank) of ds; ds is sorted in place.
func Summarise(ds []time.Duration) Latencies {
	if len(ds) == 0 {
		return Latencies{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(ds))+0.999999) - 1
		return ds[max(0, min(i, len(ds)-1))]
	}
	return Latencies{
		Count: len(ds), Min: ds[0], Max: ds[len(ds)-1],
		P50: rank(0.50), P90: rank(0.90), P99: rank(0.99),
		Mean: sum / time.Duration(len(ds)),
	}
}
