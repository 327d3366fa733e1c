package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/creack/pty"
	"github.com/peterh/liner"

	"github.com/wf-lang/wf/internal/ansi"
	"github.com/wf-lang/wf/lang"
)

// Prompts: the first line of an entry, and the lines that continue it.
const (
	Prompt         = "> "
	PromptContinue = "... "
)

// maxListed caps how many candidates one TAB lists.
const maxListed = 60

// interactive runs the session on the process's terminal with liner.
func (r *REPL) interactive(ctx context.Context) (failed int, err error) {
	ln := liner.NewLiner()
	defer ln.Close()
	ln.SetCtrlCAborts(true)
	ln.SetWordCompleter(r.wordCompleter)
	r.readHistory(ln)
	// Ctrl-C while an entry runs cancels it. liner reads Ctrl-C at the
	// prompt itself; one that comes between prompts must not end the
	// session either.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	r.banner()
	failed = r.preload(ctx)
	var lines []string
	for !r.quit {
		prompt := Prompt
		if len(lines) > 0 {
			prompt = PromptContinue
		}
		line, err := ln.Prompt(prompt)
		switch {
		case errors.Is(err, liner.ErrPromptAborted):
			lines = nil // Ctrl-C drops the entry being typed
			continue
		case errors.Is(err, io.EOF) && len(lines) > 0:
			fmt.Fprintln(r.out) // Ctrl-D at a ... prompt drops the entry
			lines = nil
			continue
		case errors.Is(err, io.EOF):
			fmt.Fprintln(r.out)
			return failed, nil
		case err != nil:
			return failed, fmt.Errorf("reading the terminal: %w", err)
		}
		if len(lines) == 0 && strings.TrimSpace(line) == "" {
			continue
		}
		blank := strings.TrimSpace(line) == ""
		lines = append(lines, line)
		src := strings.Join(lines, "\n")
		// A blank line ends an entry the grammar would continue, once its
		// brackets are closed, so a mistake at its end can be shown.
		if !isCommand(src) && !entryComplete(src) && !(blank && lang.EntryComplete(src)) && len(src) <= MaxEntry {
			continue
		}
		if blank {
			src = strings.TrimRight(src, " \t\n") // the error shows on the entry's last line
		}
		lines = nil
		r.remember(ln, src)
		if w := terminalWidth(); w > 0 {
			r.pr.Width = w // values break at the terminal's width, as it is now
		}
		if !r.execInterruptible(ctx, sigs, src) {
			failed++
		}
	}
	return failed, nil
}

// terminalWidth returns the width of the terminal on standard output, or 0.
func terminalWidth() int {
	_, cols, err := pty.Getsize(os.Stdout)
	if err != nil {
		return 0
	}
	return cols
}

// execInterruptible runs an entry; an interrupt (Ctrl-C) cancels it and
// the session goes on.
func (r *REPL) execInterruptible(ctx context.Context, sigs <-chan os.Signal, src string) bool {
	for len(sigs) > 0 {
		<-sigs // one that came while nothing ran
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	defer func() {
		cancel()
		<-done
	}()
	go func() {
		defer close(done)
		select {
		case <-sigs:
			cancel()
		case <-ctx.Done():
		}
	}()
	return r.Exec(ctx, r.nextPath(), src)
}

func (r *REPL) banner() {
	backend := r.cfg.Backend
	if backend == "" {
		backend = "local"
	}
	effects := "effects go to the " + backend + " Persona backend"
	if r.cfg.DryRun {
		effects = "dry run: effects are recorded, not performed"
	}
	fmt.Fprintf(r.out, "wf repl: %s. :help for commands, Ctrl-D to leave.\n", effects)
}

// wordCompleter is liner's completer. A unique candidate replaces the word
// (a function's signature is shown above the prompt); several extend it to
// their common prefix, and when they cannot they are listed with their
// signatures or types. After "name(" TAB shows name's signature.
func (r *REPL) wordCompleter(line string, pos int) (string, []string, string) {
	c := r.Complete(line, pos)
	if c.Word == "" && strings.HasSuffix(c.Head, "(") {
		h := strings.TrimSuffix(c.Head, "(")
		i := len(h)
		for i > 0 && isWordByte(h[i-1]) {
			i--
		}
		if d := r.sess.lib.Func(h[i:]); d != nil {
			r.listAbove([]string{r.pr.paint(ansi.Bold, d.Signature()) + "  " + firstSentence(d.Doc)})
			return c.Head, []string{""}, c.Tail
		}
	}
	switch len(c.Candidates) {
	case 0:
		return c.Head, nil, c.Tail
	case 1:
		if d := c.Candidates[0].Detail; strings.HasSuffix(c.Candidates[0].Text, "(") && strings.Contains(d, "->") {
			r.listAbove([]string{r.pr.paint(ansi.Bold, d)})
		}
		return c.Head, []string{c.Candidates[0].Text}, c.Tail
	}
	if p := commonPrefix(c.Candidates); len(p) > len(c.Word) {
		return c.Head, []string{p}, c.Tail
	}
	var rows []string
	for i, cand := range c.Candidates {
		if i == maxListed {
			rows = append(rows, r.pr.paint(ansi.Dim, fmt.Sprintf("… %d more", len(c.Candidates)-i)))
			break
		}
		if strings.Contains(cand.Detail, "->") {
			rows = append(rows, cand.Detail)
		} else {
			rows = append(rows, fmt.Sprintf("%-24s %s", cand.Text, r.pr.paint(ansi.Dim, cand.Detail)))
		}
	}
	r.listAbove(rows)
	return c.Head, []string{c.Word}, c.Tail
}

// listAbove prints rows below the line being edited; liner then draws the
// prompt again under them.
func (r *REPL) listAbove(rows []string) {
	fmt.Fprint(r.out, "\n"+strings.Join(rows, "\n")+"\n")
}

// readHistory loads the history file, if there is one.
func (r *REPL) readHistory(ln *liner.State) {
	if r.cfg.HistoryPath == "" {
		return
	}
	f, err := os.Open(r.cfg.HistoryPath)
	if err != nil {
		return // no history yet
	}
	defer f.Close()
	_, _ = ln.ReadHistory(f)
}

// remember adds an entry to the history and saves the file: a multi-line
// entry as one line when that keeps its meaning, else line by line.
func (r *REPL) remember(ln *liner.State, src string) {
	if one, ok := lang.OneLine(src); ok {
		ln.AppendHistory(one)
	} else {
		for _, l := range strings.Split(src, "\n") {
			if strings.TrimSpace(l) != "" {
				ln.AppendHistory(l)
			}
		}
	}
	if r.cfg.HistoryPath == "" {
		return
	}
	if err := r.writeHistory(ln); err != nil {
		fmt.Fprintf(r.errw, "warning: history not saved: %v\n", err)
		r.cfg.HistoryPath = "" // say it once
	}
}

func (r *REPL) writeHistory(ln *liner.State) error {
	if err := os.MkdirAll(filepath.Dir(r.cfg.HistoryPath), 0o755); err != nil {
		return err
	}
	tmp := r.cfg.HistoryPath + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := ln.WriteHistory(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, r.cfg.HistoryPath)
}
