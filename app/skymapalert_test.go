package app

import (
	"fmt"
	"strings"
	"time"
)

// skymapAlert is a real LVK alert (MS181101ab's Preliminary, 1,037,685
// bytes, a 19,200-pixel multi-order map in base64) made distinct by n: its
// superevent id and event time. The map's bytes are the same in each, but
// each alert is new to the seen-list, so each is parsed and its map decoded.
func skymapAlert(tmpl string, n int) []byte {
	s := strings.Replace(tmpl, `"superevent_id": "MS181101ab"`, fmt.Sprintf(`"superevent_id": "MS%08d"`, n), 1)
	return []byte(strings.Replace(s, `"time": "2018-11-01T22:22:46.654Z"`,
		fmt.Sprintf(`"time": "%s"`, time.Date(2018, 11, 1, 22, 22, 46, 654e6, time.UTC).Add(time.Duration(n)*time.Second).Format("2006-01-02T15:04:05.000Z")), 1))
}
