package store

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/starling-broker/starling/netcore/describe"
)

// synthKinds are the kinds of alert FillSynthetic writes, in turn.
var synthKinds = []struct {
	mission, author, topic string
	types                  []string
	errDeg                 float64
}{
	{"LVK", "LIGO-Virgo-KAGRA", "igwn.gwalert", []string{"Preliminary", "Preliminary", "Initial", "Update", "Retraction"}, 12},
	{"Swift BAT", "ivo://nasa.gsfc.tan/gcn", "", []string{"BAT position", "XRT position", "UVOT position"}, 0.05},
	{"Fermi GBM", "ivo://nasa.gsfc.tan/gcn", "", []string{"Alert", "Flight position", "Ground position", "Final position"}, 4},
	{"IceCube", "ivo://nasa.gsfc.tan/gcn", "gcn.notices.icecube.lvk_nu_track_search", []string{"Gold", "Bronze"}, 0.8},
}

// FillSynthetic appends n synthetic but realistic alerts (summaries, raw
// bytes and search text, about 400 bytes each) received over the span
// before end, straight through SQL in transactions of 10,000: for
// benchmarks and demonstrations of a large archive, not a real path. One
// alert in ten is a test or mock. The triggers' states are built again
// from the whole archive afterwards.
func (s *Store) FillSynthetic(ctx context.Context, n int, end time.Time, span time.Duration) error {
	for done := 0; done < n; {
		batch := min(10_000, n-done)
		if err := s.fillBatch(ctx, done, batch, n, end, span); err != nil {
			return err
		}
		done += batch
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return s.rebuildTriggers(ctx, conn, true)
}

func (s *Store) fillBatch(ctx context.Context, from, count, n int, end time.Time, span time.Duration) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, `INSERT INTO events(ivorn, role, author, event_date, received_at, source, ra, dec, err, params_count, description,
		format, topic, event_time, "trigger", alert_type, mission, retraction, test, far, significance, summary_version) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		return err
	}
	raw, err := tx.PrepareContext(ctx, `INSERT INTO event_raw(id, raw) VALUES(?,?)`)
	if err != nil {
		return err
	}
	fts, err := tx.PrepareContext(ctx, insertFTS)
	if err != nil {
		return err
	}
	coord, err := tx.PrepareContext(ctx, insertCoordSQL)
	if err != nil {
		return err
	}
	for i := from; i < from+count; i++ {
		k := synthKinds[i%len(synthKinds)]
		seq := i / len(synthKinds)
		typ := k.types[seq%len(k.types)]
		received := end.Add(-span + time.Duration(float64(span)*float64(i+1)/float64(n)))
		eventTime := received.Add(-time.Duration(20+i%400) * time.Second)
		trigger := fmt.Sprintf("%d", 1_000_000+seq/len(k.types))
		format, role, topic, source := "voevent", "observation", k.topic, "subscription: 45.58.43.186:8099"
		test := i%20 == 0 || i%20 == 9
		if k.mission == "LVK" {
			trigger = fmt.Sprintf("S%s%s", received.UTC().Format("060102"), letters(seq/len(k.types)))
			format, source = "json", "kafka: gcn.nasa.gov"
			if test {
				trigger = "M" + trigger[1:]
			}
		} else if test {
			role = "test"
		}
		if format == "json" {
			role = ""
		}
		ivorn := fmt.Sprintf("ivo://nasa.gsfc.gcn/%s#%s_%s-%d", k.mission, trigger, typ, i)
		ra := math.Mod(float64(i)*137.50776, 360)
		dec := math.Asin(math.Mod(float64(i)*0.7548777, 2)-1) * 180 / math.Pi
		far := math.Pow(10, -7-float64(i%6))
		sig := fmt.Sprintf("FAR 1 per %.3g years", 1/(far*365.25*86400))
		if y := 1 / (far * 365.25 * 86400); y >= 100 {
			sig = fmt.Sprintf("FAR 1 per %.0f years", y)
		}
		desc := k.mission + " " + typ + " for trigger " + trigger
		body := fmt.Sprintf(`{"alert_type":%q,"superevent_id":%q,"mission":%q,"ra":%.4f,"dec":%.4f,"far":%g,"time_created":%q}`,
			typ, trigger, k.mission, ra, dec, far, received.UTC().Format(time.RFC3339))
		res, err := ins.ExecContext(ctx, ivorn, role, k.author, received.UTC().Format(time.RFC3339), received.UnixMilli(), source, ra, dec, k.errDeg*(1+float64(i%7)/7), 6, desc,
			format, topic, eventTime.UnixMilli(), trigger, typ, k.mission, typ == "Retraction", test, far, sig, describe.Version)
		if err != nil {
			return err
		}
		id, _ := res.LastInsertId()
		if _, err := raw.ExecContext(ctx, id, []byte(body)); err != nil {
			return err
		}
		if format == "voevent" {
			if _, err := coord.ExecContext(ctx, id, ra, dec, k.errDeg, id); err != nil {
				return err
			}
		}
		if _, err := fts.ExecContext(ctx, id, ivorn+" "+k.mission+" "+k.author+" "+trigger+" "+typ+" "+desc+" alert_type superevent_id far ra dec"); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// letters names the n-th superevent of a day: a … z, aa … zz, aaa ….
func letters(n int) string {
	s := ""
	for n = n % 18278; ; n = n/26 - 1 {
		s = string(rune('a'+n%26)) + s
		if n < 26 {
			return s
		}
	}
}
