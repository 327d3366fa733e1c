// Package repl is `wf repl`: an interactive session for trying expressions
// against real data, declaring helpers and workflows, and firing workflows
// against a Persona webhook payload. It sits between the command line
// (cmd/wf, which only wires flags to Config) and the language packages:
// each entry is checked by lang.CheckSession as the body of a synthetic
// workflow over the session's names, run by interp.Session with the
// runtime engine's services, and its new names carried to the next entry.
//
// On a terminal it edits lines with history (github.com/peterh/liner),
// continues multi-line input while brackets or a """ string are open,
// completes names with TAB and prints values in colour. Reading a script
// from a pipe it prints only results, so it can be scripted.
package repl

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/wf-lang/wf/internal/termdiag"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
)

// Config configures a REPL.
type Config struct {
	// Engine runs entries and fired workflows, and holds the store.
	Engine *runtime.Engine
	// JS compiles js fn bodies (js fn declarations fail without it).
	JS interp.JSEngine
	// Clock is the engine's clock (the real clock when nil).
	Clock interp.Clock
	// DryRun records effect steps without performing them.
	DryRun bool
	// Backend names the Persona backend, for the banner.
	Backend string
	// Interactive edits lines on the process's terminal (os.Stdin and
	// os.Stdout, which liner drives), with prompts, history and
	// completion. Otherwise entries are read from In and only results are
	// written.
	Interactive bool
	In          io.Reader
	Out, Err    io.Writer
	// Color adds ANSI colours to values, steps and diagnostics.
	Color bool
	// Width is the line width values are broken at (80 when 0).
	Width int
	// HistoryPath is the history file of an interactive session; "" keeps
	// no history.
	HistoryPath string
	// PrintRun prints the record of a fired run (the CLI passes the
	// printer of wf run); a plain one is used when nil.
	PrintRun func(w io.Writer, r *runtime.Record)
	// SessionID names the session in run ids; random when empty.
	SessionID string
	// Load lists files and folders to :load when the session starts; one
	// with errors is reported and the session starts all the same.
	Load []string
}

// REPL reads entries and commands and prints what they do.
type REPL struct {
	cfg     Config
	sess    *Session
	pr      *Printer
	diag    *termdiag.Renderer
	out     io.Writer
	errw    io.Writer
	entries int
	quit    bool
}

// MaxEntry caps the size of one entry read from the input.
const MaxEntry = lang.MaxFileSize

// New makes a REPL with an empty session.
func New(cfg Config) *REPL {
	if cfg.SessionID == "" {
		var b [6]byte
		_, _ = rand.Read(b[:])
		cfg.SessionID = "repl_" + hex.EncodeToString(b[:])
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Err == nil {
		cfg.Err = cfg.Out
	}
	r := &REPL{cfg: cfg, out: cfg.Out, errw: cfg.Err}
	r.sess = NewSession(cfg.Engine, cfg.JS, cfg.Clock, cfg.DryRun, cfg.SessionID)
	r.pr = &Printer{Color: cfg.Color, Width: cfg.Width, Secrets: r.sess.Secrets}
	r.diag = &termdiag.Renderer{Source: r.sess.Source, Color: cfg.Color}
	return r
}

// Run reads entries until the input ends or :quit, and returns how many
// entries or commands failed. An error is returned only when the input or
// the terminal cannot be read.
func (r *REPL) Run(ctx context.Context) (failed int, err error) {
	if r.cfg.Interactive {
		return r.interactive(ctx)
	}
	failed = r.preload(ctx)
	n, err := r.script(ctx, r.cfg.In)
	return failed + n, err
}

// preload loads Config.Load and returns how many failed.
func (r *REPL) preload(ctx context.Context) (failed int) {
	for _, p := range r.cfg.Load {
		if !r.Exec(ctx, p, ":load "+p) {
			failed++
		}
	}
	return failed
}

// script reads entries from a pipe or a file: a line that starts a command
// is one command; other lines gather into an entry until its brackets and
// """ strings are closed. Nothing but results is printed. Each entry is
// named in[N], N being the line it starts on.
func (r *REPL) script(ctx context.Context, in io.Reader) (failed int, err error) {
	if in == nil {
		return 0, nil
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64<<10), MaxEntry)
	var lines []string
	size, lineNo, start := 0, 0, 0
	flush := func() {
		src := strings.Join(lines, "\n")
		lines, size = nil, 0
		if !r.Exec(ctx, fmt.Sprintf("in[%d]", start), src) {
			failed++
		}
	}
	for !r.quit && sc.Scan() {
		lineNo++
		line := sc.Text()
		if len(lines) == 0 {
			if strings.TrimSpace(line) == "" {
				continue
			}
			start = lineNo
		}
		lines = append(lines, line)
		size += len(line) + 1
		src := strings.Join(lines, "\n")
		if isCommand(src) || entryComplete(src) || size > MaxEntry {
			flush()
		}
	}
	if err := sc.Err(); err != nil {
		return failed, fmt.Errorf("reading the input: %w", err)
	}
	if len(lines) > 0 && !r.quit {
		flush() // an unclosed bracket: the parser says where
	}
	return failed, nil
}

// entryComplete reports whether src is a whole entry, by the file's
// grammar: no bracket, ${…} or """ string is left open, and the parser
// does not stop at the end of the text still wanting more (a line that
// ends in `and`, `+`, `=`, `run`, `when x` without its block…). An entry
// with a mistake before its end is complete: it is run, and the error
// shown.
func entryComplete(src string) bool {
	if !lang.EntryComplete(src) {
		return false
	}
	_, diags := lang.ParseEntry("", src)
	end := len(strings.TrimRight(src, " \t\r\n"))
	for _, d := range diags {
		if d.Severity == lang.Error {
			return d.Span.Start.Offset < end
		}
	}
	return true
}

// isCommand reports whether an entry is a :command.
func isCommand(src string) bool { return strings.HasPrefix(strings.TrimSpace(src), ":") }

// Exec runs one entry or command named path and prints what it does. It
// reports whether it went well.
func (r *REPL) Exec(ctx context.Context, path, src string) bool {
	if isCommand(src) {
		return r.command(ctx, path, strings.TrimSpace(src))
	}
	out := r.sess.Eval(ctx, path, src)
	r.printOutcome(path, out)
	return !out.Failed()
}

// nextPath names the next interactive entry.
func (r *REPL) nextPath() string {
	r.entries++
	return fmt.Sprintf("in[%d]", r.entries)
}
