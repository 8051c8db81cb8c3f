package app

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
)

// SoundPlayer is the external program that plays the alert sound (paplay
// or aplay), or "" when there is none: the sound is then skipped.
func SoundPlayer() string {
	for _, p := range []string{"paplay", "aplay"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	return ""
}

// AlertWAV is the alert sound: two short tones (880 Hz, 1320 Hz), 16-bit mono PCM WAV.
func AlertWAV() []byte {
	const rate = 22050
	var samples []int16
	for _, tone := range []struct{ hz, sec float64 }{{880, 0.15}, {0, 0.05}, {1320, 0.2}} {
		n := int(tone.sec * rate)
		for i := 0; i < n; i++ {
			env := math.Min(1, math.Min(float64(i), float64(n-i))/(0.01*rate)) // 10 ms fade in and out
			samples = append(samples, int16(0.4*32767*env*math.Sin(2*math.Pi*tone.hz*float64(i)/rate)))
		}
	}
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(36 + 2*len(samples)))
	b.WriteString("WAVEfmt ")
	le(uint32(16))
	le(uint16(1)) // PCM
	le(uint16(1)) // mono
	le(uint32(rate))
	le(uint32(2 * rate))
	le(uint16(2))
	le(uint16(16))
	b.WriteString("data")
	le(uint32(2 * len(samples)))
	le(samples)
	return b.Bytes()
}

var soundFile struct {
	sync.Once
	path string
	err  error
}

// PlayAlertSound plays the alert sound with SoundPlayer, in the background;
// it returns false, doing nothing, when there is no player.
func PlayAlertSound() bool {
	player := SoundPlayer()
	if player == "" {
		return false
	}
	soundFile.Do(func() {
		soundFile.path = filepath.Join(os.TempDir(), "starling-alert.wav")
		soundFile.err = os.WriteFile(soundFile.path, AlertWAV(), 0o644)
	})
	if soundFile.err != nil {
		return false
	}
	cmd := exec.Command(player, soundFile.path)
	if cmd.Start() != nil {
		return false
	}
	go cmd.Wait()
	return true
}
