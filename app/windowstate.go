package app

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
)

// Setting keys of the window's state.
const (
	keyWindowTab      = "window.tab"
	keyWindowSplits   = "window.splits"
	keyWindowBrokerOn = "window.broker_on"
	keyWindowSelected = "window.selected"
	keyWindowShowTest = "window.show_test"
)

// WindowState is what the window keeps across restarts besides its size.
type WindowState struct {
	// Tab is the selected tab's title ("" for the first).
	Tab string
	// Splits are the dividers' offsets (0 to 1), by the window's names for
	// its splits; a name not here keeps the panel's default.
	Splits map[string]float64
	// BrokerOn is whether the local broker was on at the last close.
	BrokerOn bool
	// Selected is the selected trigger's key ("" for none).
	Selected string
	// ShowTest is whether the Events panel's test/mock box was ticked.
	ShowTest bool
}

// WindowState returns the window's state as last saved; what is unset or
// unreadable is left at its zero value.
func (se *Settings) WindowState(ctx context.Context) WindowState {
	c := se.c
	s := WindowState{
		Tab:      c.setting(ctx, keyWindowTab, ""),
		BrokerOn: c.setting(ctx, keyWindowBrokerOn, "false") == "true",
		Selected: c.setting(ctx, keyWindowSelected, ""),
		ShowTest: c.setting(ctx, keyWindowShowTest, "false") == "true",
	}
	var splits map[string]float64
	if err := json.Unmarshal([]byte(c.setting(ctx, keyWindowSplits, "{}")), &splits); err == nil {
		for name, off := range splits {
			if validOffset(off) {
				if s.Splits == nil {
					s.Splits = map[string]float64{}
				}
				s.Splits[name] = off
			}
		}
	}
	return s
}

// SaveWindowState remembers s for the next launch.
func (se *Settings) SaveWindowState(ctx context.Context, s WindowState) error {
	splits := map[string]float64{}
	for name, off := range s.Splits {
		if validOffset(off) {
			splits[name] = off
		}
	}
	js, err := json.Marshal(splits)
	if err != nil {
		return err
	}
	for _, kv := range [][2]string{
		{keyWindowTab, s.Tab},
		{keyWindowSplits, string(js)},
		{keyWindowBrokerOn, strconv.FormatBool(s.BrokerOn)},
		{keyWindowSelected, s.Selected},
		{keyWindowShowTest, strconv.FormatBool(s.ShowTest)},
	} {
		if err := se.c.store.SetSetting(ctx, kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// validOffset is whether off can be a divider's offset.
func validOffset(off float64) bool {
	return !math.IsNaN(off) && off >= 0 && off <= 1
}
