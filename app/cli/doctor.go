package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/starling-broker/starling/app"
)

const doctorUsage = "starling doctor [--data-dir DIR] [--recover FILE] [--replace]"

// archiveArgs is an argSet with --data-dir (and Comet's --eventdb).
func archiveArgs(name, usage string) *argSet {
	a := newArgSet(name, usage)
	dataDirOption(a)
	a.add(option{long: "eventdb", kind: flagValue, meta: "DIR", help: "data directory (Comet's name for --data-dir)"})
	return a
}

// archivePath is the data directory's database, which must exist.
func archivePath(dir string) (string, error) {
	path := app.ArchivePath(dir)
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", exitf(exitFailure, "there is no archive in %s (no %s)", dir, app.ArchiveFileName)
		}
		return "", exitf(exitFailure, "%v", err)
	}
	return path, nil
}

// sizeText is n bytes for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func runDoctor(env Env, args []string) error {
	a := archiveArgs("starling doctor", doctorUsage)
	a.add(option{long: "recover", kind: flagValue, meta: "FILE", help: "copy what can still be read into FILE, a new database (default when damaged: DIR/starling-recovered-TIME.db)"})
	a.add(option{long: "replace", kind: flagBool, help: "when damaged, put the recovered archive in place, keeping the damaged file as starling.db.damaged-TIME (not while Starling runs)"})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) > 0 {
		return exitBare(exitUsage, "usage: "+doctorUsage)
	}
	dir := dataDir(a)
	path, err := archivePath(dir)
	if err != nil {
		return err
	}
	replace := a.isSet("replace")
	if replace {
		if err := app.DataDirInUse(dir); err != nil {
			return exitf(exitFailure, "%v; --replace needs the directory to itself", err)
		}
	}
	ctx := env.Context()
	out := env.Stdout
	size := fileSizeOf(path) + fileSizeOf(path+"-wal")
	fmt.Fprintf(out, "Checking %s (%s) with SQLite's integrity_check…\n", path, sizeText(size))
	start := time.Now()
	problems, err := app.CheckArchiveFile(ctx, path, true)
	if err != nil {
		return exitf(exitFailure, "cannot check %s: %v", path, err)
	}
	took := time.Since(start).Round(time.Millisecond)
	if len(problems) == 0 {
		fmt.Fprintf(out, "The archive is sound: integrity_check found no problem (%s).\n", took)
		if !a.isSet("recover") {
			if replace {
				fmt.Fprintln(out, "Nothing to replace.")
			}
			return nil
		}
	} else {
		fmt.Fprintf(out, "The archive is damaged: integrity_check found %s (%s):\n", plural(len(problems), "problem", "problems"), took)
		for i, p := range problems[:min(len(problems), 10)] {
			fmt.Fprintf(out, "  %d. %s\n", i+1, p)
		}
		if len(problems) > 10 {
			fmt.Fprintf(out, "  … and %d more\n", len(problems)-10)
		}
	}
	dst := a.str("recover", filepath.Join(dir, "starling-recovered-"+time.Now().UTC().Format("20060102-150405")+".db"))
	fmt.Fprintf(out, "Copying what can still be read into %s…\n", dst)
	rep, err := app.RecoverArchive(ctx, path, dst)
	if err != nil {
		if b, when := newestBackup(dir); b != "" {
			return exitf(exitFailure, "recovery failed: %v\nThe newest backup (made %s) can be put in place instead: stop Starling, then run\n  starling restore %s --data-dir %s", err, when, b, dir)
		}
		return exitf(exitFailure, "recovery failed: %v", err)
	}
	printRecovery(out, rep)
	if len(problems) == 0 {
		return nil
	}
	if !replace {
		fmt.Fprintf(out, "\nTo put it in place: stop Starling, then run\n  starling restore %s --data-dir %s\n(or run starling doctor --replace again). The damaged file is kept aside either way.\n", dst, dir)
		if b, when := newestBackup(dir); b != "" {
			fmt.Fprintf(out, "The newest backup, %s (made %s), can be restored the same way instead.\n", b, when)
		}
		return exitStatus(exitFailure)
	}
	aside, err := app.ReplaceArchive(dir, dst, "damaged")
	if err != nil {
		return exitf(exitFailure, "cannot put the recovered archive in place: %v; it is in %s", err, dst)
	}
	os.Remove(dst)
	fmt.Fprintf(out, "\nThe recovered archive is in place in %s; the damaged file is kept as %s. Starling can start again.\n", dir, aside)
	return nil
}

// newestBackup is the newest backup of dir and when it was made, or "".
func newestBackup(dir string) (path, when string) {
	bs, err := app.Backups(dir)
	if err != nil || len(bs) == 0 {
		return "", ""
	}
	return bs[0].Path, bs[0].Time.Format("2006-01-02 15:04") + " UTC"
}

// printRecovery says, table by table, what a recovery copied and lost.
func printRecovery(w io.Writer, rep app.Recovery) {
	fmt.Fprintf(w, "Recovered in %s:\n", rep.Took.Round(time.Millisecond))
	for _, t := range rep.Tables {
		switch {
		case t.Missing:
			fmt.Fprintf(w, "  %-14s not in the damaged file\n", t.Table)
		case t.Lost > 0:
			fmt.Fprintf(w, "  %-14s %d rows copied, %d unreadable rows lost\n", t.Table, t.Copied, t.Lost)
		default:
			fmt.Fprintf(w, "  %-14s %d rows copied\n", t.Table, t.Copied)
		}
		if t.Note != "" {
			fmt.Fprintf(w, "  %-14s (%s)\n", "", t.Note)
		}
	}
	if rep.SeenRebuilt > 0 {
		fmt.Fprintf(w, "  %d seen-list entries rebuilt from the recovered archive\n", rep.SeenRebuilt)
	}
	if rep.Orphans > 0 {
		fmt.Fprintf(w, "  %d raw texts dropped: their archive rows were lost\n", rep.Orphans)
	}
	if rep.NoRaw > 0 {
		fmt.Fprintf(w, "  %d archived alerts kept without their raw text (it was lost)\n", rep.NoRaw)
	}
}

func fileSizeOf(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

const backupUsage = "starling backup [--data-dir DIR] [--keep N]"

func runBackup(env Env, args []string) error {
	a := archiveArgs("starling backup", backupUsage)
	a.add(option{long: "keep", kind: flagValue, meta: "N", help: fmt.Sprintf("backups to keep, the newest (default %d)", app.DefaultBackupKeep)})
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	keep, err := a.intVal("keep", app.DefaultBackupKeep)
	if err != nil || keep < 1 || len(a.positional) > 0 {
		return exitBare(exitUsage, "usage: "+backupUsage)
	}
	dir := dataDir(a)
	if _, err := archivePath(dir); err != nil {
		return err
	}
	// Beside a running Starling: VACUUM INTO reads in one transaction.
	core, err := app.Open(env.Context(), app.Options{DataDir: dir, Shared: true, MustExist: true})
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	defer closeCore(env, core)
	path, err := core.Archive().Backup(env.Context(), keep)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "Backed up into %s (%s).\n", path, sizeText(fileSizeOf(path)))
	return nil
}

const restoreUsage = "starling restore FILE [--data-dir DIR]"

func runRestore(env Env, args []string) error {
	a := archiveArgs("starling restore", restoreUsage)
	if done, err := parseOrHelp(env, a, args); done {
		return err
	}
	if len(a.positional) != 1 {
		return exitBare(exitUsage, "usage: "+restoreUsage)
	}
	from, dir := a.positional[0], dataDir(a)
	if err := os.MkdirAll(dir, 0o755); err != nil { // a new machine's
		return exitf(exitFailure, "%v", err)
	}
	if err := app.DataDirInUse(dir); err != nil {
		return exitf(exitFailure, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "Checking %s with SQLite's integrity_check…\n", from)
	problems, err := app.CheckArchiveFile(env.Context(), from, true)
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	if len(problems) > 0 {
		return exitf(exitFailure, "%s is damaged (%s, first: %s): not restored", from, plural(len(problems), "problem", "problems"), problems[0])
	}
	aside, err := app.ReplaceArchive(dir, from, "before-restore")
	if err != nil {
		return exitf(exitFailure, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "Restored %s into %s.\n", from, dir)
	if aside != "" {
		fmt.Fprintf(env.Stdout, "The archive it replaced is kept as %s.\n", aside)
	}
	return nil
}
