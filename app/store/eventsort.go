package store

import (
	"math"
	"strings"
)

// Sort orders of the archive list (EventQuery.Sort). Each has an index
// ending in id, so a page is read by keyset without a sort step.
const (
	// SortReceived orders by the time received (the archive id).
	SortReceived = ""
	// SortEventTime orders by the astrophysical event's time (unknown first when ascending).
	SortEventTime = "event_time"
	// SortType orders by alert type.
	SortType = "type"
	// SortTrigger orders by trigger.
	SortTrigger = "trigger"
)

// sortExpr is the SQL expression a sort order sorts on; it matches the
// expression of its index exactly (migration 5).
func sortExpr(sort string) string {
	switch sort {
	case SortEventTime:
		return "ifnull(event_time, 0)"
	case SortType:
		return "alert_type"
	case SortTrigger:
		return `"trigger"`
	}
	return "id"
}

// Cursor is where a keyset page starts: the sort key and id of the last row
// of the page before. The zero Cursor starts at the top.
type Cursor struct {
	// Set is false for the top of the list.
	Set bool
	// Key is the last row's sort key (an int64 or a string), ID its id.
	Key any
	ID  int64
}

// CursorAfter is the cursor that continues after row r in sort order.
func CursorAfter(sort string, r EventRow) Cursor {
	c := Cursor{Set: true, ID: r.ID}
	switch sort {
	case SortEventTime:
		var ms int64
		if !r.EventTime.IsZero() {
			ms = r.EventTime.UnixMilli()
		}
		c.Key = ms
	case SortType:
		c.Key = r.AlertType
	case SortTrigger:
		c.Key = r.Trigger
	default:
		c.Key = r.ID
	}
	return c
}

// Cone is a circle on the sky: centre and radius in degrees.
type Cone struct {
	RA, Dec, Radius float64
}

// coneWhere selects the rows with a position inside c: a bounding box on
// ra and dec, then the exact great-circle distance.
func coneWhere(c Cone) (string, []any) {
	r := math.Min(math.Max(c.Radius, 0), 180)
	conds := []string{"dec IS NOT NULL", "ra IS NOT NULL", "dec BETWEEN ? AND ?"}
	args := []any{c.Dec - r, c.Dec + r}
	cosd := math.Cos((math.Abs(c.Dec) + r) * math.Pi / 180)
	if math.Abs(c.Dec)+r < 89.9 && cosd > 0 {
		half := math.Asin(math.Min(1, math.Sin(r*math.Pi/180)/math.Cos(c.Dec*math.Pi/180))) * 180 / math.Pi
		lo, hi := c.RA-half, c.RA+half
		switch {
		case lo < 0:
			conds = append(conds, "(ra >= ? OR ra <= ?)")
			args = append(args, lo+360, hi)
		case hi >= 360:
			conds = append(conds, "(ra >= ? OR ra <= ?)")
			args = append(args, lo, hi-360)
		default:
			conds = append(conds, "ra BETWEEN ? AND ?")
			args = append(args, lo, hi)
		}
	}
	conds = append(conds, `sin(radians(dec))*? + cos(radians(dec))*?*cos(radians(ra - ?)) >= ?`)
	d0 := c.Dec * math.Pi / 180
	args = append(args, math.Sin(d0), math.Cos(d0), c.RA, math.Cos(r*math.Pi/180)-1e-12)
	return "(" + strings.Join(conds, " AND ") + ")", args
}

// keysetWhere selects the rows after cur in the order of sort (desc or asc).
func keysetWhere(sort string, asc bool, cur Cursor) (string, []any) {
	op := "<"
	if asc {
		op = ">"
	}
	if sortExpr(sort) == "id" {
		return "id " + op + " ?", []any{cur.ID}
	}
	return "(" + sortExpr(sort) + ", id) " + op + " (?, ?)", []any{cur.Key, cur.ID}
}

// orderBy is the ORDER BY clause of a sort order.
func orderBy(sort string, asc bool) string {
	dir := " DESC"
	if asc {
		dir = " ASC"
	}
	if sortExpr(sort) == "id" {
		return " ORDER BY id" + dir
	}
	return " ORDER BY " + sortExpr(sort) + dir + ", id" + dir
}
