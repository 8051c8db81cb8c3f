package channel

import "fmt"

// newEmail is not written yet.
func newEmail(cfg Config, secret string) (Sender, error) {
	return nil, fmt.Errorf("channel %q: sending email is not available yet in this build", cfg.Name)
}
