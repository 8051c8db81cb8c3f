package channel

import "fmt"

// notYet is the error for a kind whose sender is not written yet.
func notYet(cfg Config) error {
	return fmt.Errorf("channel %q: sending to %s is not available yet in this build", cfg.Name, cfg.Kind)
}

func newSlack(cfg Config, secret string) (Sender, error)  { return nil, notYet(cfg) }
func newMatrix(cfg Config, secret string) (Sender, error) { return nil, notYet(cfg) }
func newNtfy(cfg Config, secret string) (Sender, error)   { return nil, notYet(cfg) }
func newEmail(cfg Config, secret string) (Sender, error)  { return nil, notYet(cfg) }
