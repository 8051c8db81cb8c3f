package ui

import "testing"

func TestSexagesimalAndErrorUnits(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{sexaRA(83.633), "05:34:31.9"}, {sexaRA(359.99999), "00:00:00.0"}, {sexaRA(-15), "23:00:00.0"},
		{sexaDec(22.0145), "+22:00:52"}, {sexaDec(-5.391), "−05:23:28"}, {sexaDec(-0.5), "−00:30:00"},
		{errorText(0.0005), "1.80″"}, {errorText(0.05), "3.00′"}, {errorText(3.2), "3.20°"}, {errorText(0), ""},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
