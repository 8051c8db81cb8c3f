#!/usr/bin/env bash
# Ingest with 16 authors: Starling against the durable null receiver, alternated, same run.
# Run from the repository after `make build`: bash scripts/ingest-share.sh [BINARY]. Prints each round as JSON.
set -u
bin=${1:-bin/starling}
out=$(mktemp -d)
for round in 1 2 3; do
  $bin bench null --fsync $out/journal-$round --receive tcp:28600:interface=127.0.0.1 --broadcast tcp:28601:interface=127.0.0.1 2>$out/null-$round.log &
  np=$!; sleep 1
  $bin bench submit --target 127.0.0.1:28600 -c 16 -n 6000 --json > $out/null-$round.json
  kill $np; wait $np 2>/dev/null
  $bin broker --local-ivo ivo://bench/starling --receive tcp:28700:interface=127.0.0.1 --broadcast tcp:28701:interface=127.0.0.1 --data-dir $out/data-$round --broadcast-test-interval 0 2>$out/broker-$round.log &
  bp=$!; sleep 2
  $bin bench submit --target 127.0.0.1:28700 -c 16 -n 6000 --json > $out/starling-$round.json
  kill $bp; wait $bp 2>/dev/null
  echo "round $round: null $(cat $out/null-$round.json) | starling $(cat $out/starling-$round.json)"
done
rm -rf "$out"
