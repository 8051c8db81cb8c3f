package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"os"
	"strings"

	"github.com/starling-broker/starling/app"
	"github.com/starling-broker/starling/netcore/skymap"
)

const skymapUsage = "starling skymap FILE|ALERT.json|KEY [--json] [--png OUT.png] [--width N] [--data-dir DIR]"

// isArchiveKey reports whether arg names an archived alert rather than a
// file: an IVORN or a JSON alert's sha256:… key.
func isArchiveKey(arg string) bool {
	return strings.HasPrefix(arg, "ivo://") || strings.HasPrefix(arg, "sha256:")
}

// fileSkymap decodes a FITS file (plain or gzipped) or the map an alert's
// JSON file embeds.
func fileSkymap(path string) (*skymap.Map, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, exitf(exitFailure, "%v", err)
	}
	if trimmed := bytes.TrimLeft(raw, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
		if raw, err = skymap.FromAlertJSON(raw); err != nil {
			return nil, exitf(exitFailure, "%s: %v", path, err)
		}
	}
	m, err := skymap.Read(raw)
	if err != nil {
		return nil, exitf(exitFailure, "%s: %v", path, err)
	}
	return m, nil
}

// archivedSkymap reads the sky map of the archived alert key from the
// compact form the archive keeps (no FITS decoded).
func archivedSkymap(ctx context.Context, a *argSet, key string) (*skymap.Map, error) {
	dir := dataDir(a)
	core, err := openCore(ctx, a, true, true)
	if errors.Is(err, app.ErrNoData) {
		return nil, exitf(exitFailure, "no event %s in the archive of %s", key, dir)
	}
	if err != nil {
		return nil, exitf(exitFailure, "%v", err)
	}
	defer core.Close(ctx)
	row, _, err := core.Archive().Event(ctx, key)
	if errors.Is(err, app.ErrNotFound) {
		return nil, exitf(exitFailure, "no event %s in the archive of %s", key, dir)
	}
	if err != nil {
		return nil, exitf(exitFailure, "%v", err)
	}
	m, err := core.Archive().Skymap(ctx, row.ID)
	if err != nil {
		return nil, exitf(exitFailure, "%s: %v", key, err)
	}
	if m == nil {
		return nil, exitf(exitFailure, "%s: the alert carries no readable sky map", key)
	}
	return m, nil
}

func runSkymap(env Env, args []string) error {
	a := newArgSet("starling skymap", skymapUsage)
	a.add(option{long: "json", kind: flagBool, help: "print the summary as JSON (ra, dec, area50, area90, distmean, diststd, npix, max_order)"})
	a.add(option{long: "png", kind: flagValue, meta: "OUT.png", help: "draw the map (all-sky Mollweide, RA increasing leftwards) into OUT.png"})
	a.add(option{long: "width", kind: flagValue, meta: "N", help: "the image's width in pixels, 16–8192 (default 1024; the height is half)"})
	dataDirOption(a)
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 {
		return exitBare(exitUsage, "usage: "+skymapUsage)
	}
	width, err := a.intVal("width", 1024)
	if err != nil || width < 16 || width > 8192 {
		return exitf(exitUsage, "--width must be a whole number from 16 to 8192")
	}
	path := a.positional[0]
	var m *skymap.Map
	if _, serr := os.Stat(path); serr != nil && isArchiveKey(path) {
		if m, err = archivedSkymap(env.Context(), a, path); err != nil {
			return err
		}
	} else if m, err = fileSkymap(path); err != nil {
		return err
	}
	if m.Warning != "" {
		fmt.Fprintf(env.Stderr, "starling skymap: %s: warning: %s\n", path, m.Warning)
	}
	s := m.Summary()
	if out := a.str("png", ""); out != "" {
		img, err := skymap.Render(m, skymap.RenderOptions{Width: width})
		if err != nil {
			return exitf(exitUsage, "%v", err)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			return exitf(exitFailure, "%v", err)
		}
		if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
			return exitf(exitFailure, "%v", err)
		}
	}
	if a.isSet("json") {
		b, _ := json.Marshal(s) // the archive's summary: the distance is null when the map has none
		fmt.Fprintln(env.Stdout, string(b))
		return nil
	}
	fmt.Fprintf(env.Stdout, "most probable  RA %.4f°  Dec %+.4f°\n", s.RA, s.Dec)
	fmt.Fprintf(env.Stdout, "50%% area       %.1f deg²\n", s.Area50)
	fmt.Fprintf(env.Stdout, "90%% area       %.1f deg²\n", s.Area90)
	if s.DistMean != nil {
		fmt.Fprintf(env.Stdout, "distance       %.1f ± %.1f Mpc\n", *s.DistMean, *s.DistStd)
	} else {
		fmt.Fprintln(env.Stdout, "distance       unknown (no DISTMEAN in the map)")
	}
	fmt.Fprintf(env.Stdout, "orders         %d–%d (%s)\n", m.MinOrder, m.MaxOrder, m.Ordering)
	fmt.Fprintf(env.Stdout, "pixels         %d\n", s.NPix)
	if out := a.str("png", ""); out != "" {
		fmt.Fprintf(env.Stdout, "image          %s (%d×%d)\n", out, width, width/2)
	}
	return nil
}
