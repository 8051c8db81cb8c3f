package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// secretsDir is where the data directory keeps the Kafka sources' and the
// notification channels' secrets.
const secretsDir = "secrets"

// secretPath is the file that holds a Kafka source's password or client secret.
func (c *Core) secretPath(id int64) string { return c.secretFile(kafkaSecret(id)) }

// kafkaSecret is the name of a Kafka source's secret file.
func kafkaSecret(id int64) string { return fmt.Sprintf("kafka-%d", id) }

// secretFile is the path of the secret file named name.
func (c *Core) secretFile(name string) string {
	return filepath.Join(c.opt.DataDir, secretsDir, name)
}

// writeSecret stores a source's secret in its own file (writeSecretFile).
func (c *Core) writeSecret(id int64, secret string) error {
	return c.writeSecretFile(kafkaSecret(id), secret)
}

// writeSecretFile stores a secret in the secrets directory's file name,
// readable by the user only (directory 0700, file 0600), replacing it
// atomically. The error names the file, never the secret.
func (c *Core) writeSecretFile(name, secret string) error {
	path := c.secretFile(name)
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the secrets directory %s: %w", dir, pathless(err))
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("cannot restrict the secrets directory %s to its owner: %w", dir, pathless(err))
	}
	f, err := os.CreateTemp(dir, ".secret-*.tmp") // CreateTemp makes it 0600
	if err != nil {
		return fmt.Errorf("cannot write the credentials in %s: %w", dir, pathless(err))
	}
	tmp := f.Name()
	_, err = f.WriteString(secret)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write the credentials file %s: %w", path, pathless(err))
	}
	return nil
}

// readSecret reads a source's secret; a missing file is an empty secret.
func (c *Core) readSecret(id int64) (string, error) { return c.readSecretFile(kafkaSecret(id)) }

// readSecretFile reads the secret file name; a missing file is an empty secret.
func (c *Core) readSecretFile(name string) (string, error) {
	path := c.secretFile(name)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("cannot read the credentials file %s: %w", path, pathless(err))
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// removeSecret deletes a source's secret file, if any.
func (c *Core) removeSecret(id int64) error { return c.removeSecretFile(kafkaSecret(id)) }

// removeSecretFile deletes the secret file name, if any.
func (c *Core) removeSecretFile(name string) error {
	path := c.secretFile(name)
	err := os.Remove(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot delete the credentials file %s: %w", path, pathless(err))
	}
	return nil
}

// pathless drops the path from a file error, which the message names already.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
