package seen

import "errors"

// ErrArchiveDamaged is what a Store's errors wrap once it has found its
// archive damaged: the broker then refuses every event (a nak that names
// the fix) rather than acknowledge what it may not keep.
var ErrArchiveDamaged = errors.New("the archive is damaged")

// DamagedError is a Store's error for a damaged archive; Detail says what
// was found in a few words (e.g. "database disk image is malformed").
type DamagedError struct{ Detail string }

// Error says that the archive is damaged, and how.
func (e *DamagedError) Error() string {
	if e.Detail == "" {
		return ErrArchiveDamaged.Error()
	}
	return ErrArchiveDamaged.Error() + " (" + e.Detail + ")"
}

// Is makes errors.Is(err, ErrArchiveDamaged) true.
func (e *DamagedError) Is(target error) bool { return target == ErrArchiveDamaged }
