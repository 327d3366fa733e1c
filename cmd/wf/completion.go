package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/posener/complete"

	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/sqlite"
	"github.com/wf-lang/wf/stdlib/persona"
)

// Shell completion: the shell runs `wf` with COMP_LINE set, and
// kongplete answers from the command tree. Arguments tagged with a
// predictor complete from the file system, the .wf files named earlier on
// the line, or the store.

// predictors are the names argument tags use (predictor:"…").
func predictors() map[string]complete.Predictor {
	return map[string]complete.Predictor{
		"wf-files":     complete.PredictFiles("*.wf"),
		"json-files":   complete.PredictFiles("*.json"),
		"csv-files":    complete.PredictFiles("*.csv"),
		"workflow":     complete.PredictFunc(predictWorkflows),
		"run-id":       complete.PredictFunc(predictRunIDs),
		"list":         complete.PredictFunc(predictLists),
		"persona-type": complete.PredictSet(persona.Kinds()...),
	}
}

// predictWorkflows offers the workflows of the .wf files and folders named
// earlier on the line (wf run flows/ --workflow <TAB>).
func predictWorkflows(a complete.Args) []string {
	var paths []string
	for _, arg := range a.Completed {
		if strings.HasSuffix(arg, ".wf") {
			paths = append(paths, arg)
		} else if info, err := os.Stat(arg); err == nil && info.IsDir() && !strings.HasPrefix(arg, "-") {
			paths = append(paths, arg)
		}
	}
	files, err := runtime.ExpandPaths(paths)
	if err != nil {
		return nil
	}
	var out []string
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil || len(src) > lang.MaxFileSize {
			continue
		}
		f, _ := lang.Parse(path, src)
		for _, d := range f.Decls {
			if w, ok := d.(*lang.WorkflowDecl); ok && w.Name != nil {
				out = append(out, w.Name.Name)
			}
		}
	}
	return out
}

// maxPredictedRuns caps the run ids offered.
const maxPredictedRuns = 50

// predictRunIDs offers the ids of the most recent runs in the store.
func predictRunIDs(a complete.Args) []string {
	var out []string
	withStore(a, func(st store.Store) {
		runs, err := st.ListRuns(context.Background(), store.RunFilter{Limit: maxPredictedRuns})
		if err != nil {
			return
		}
		for _, r := range runs {
			out = append(out, r.ID)
		}
	})
	return out
}

// predictLists offers the names of the store's Lists.
func predictLists(a complete.Args) []string {
	var out []string
	withStore(a, func(st store.Store) {
		lists, err := st.Lists(context.Background())
		if err != nil {
			return
		}
		for _, l := range lists {
			out = append(out, l.Name)
		}
	})
	return out
}

// withStore opens the store the command line names (--store, else
// WF_STORE, else .wf/wf.db), if it exists: completing never creates one.
func withStore(a complete.Args, f func(store.Store)) {
	path := os.Getenv("WF_STORE")
	if path == "" {
		path = ".wf/wf.db"
	}
	for i, arg := range a.Completed {
		if v, ok := strings.CutPrefix(arg, "--store="); ok {
			path = v
		} else if arg == "--store" && i+1 < len(a.Completed) {
			path = a.Completed[i+1]
		}
	}
	if info, err := os.Stat(path); err != nil || info.IsDir() {
		return
	}
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		return
	}
	defer st.Close()
	f(st)
}

// InstallCompletionsCmd is `wf install-completions`.
type InstallCompletionsCmd struct {
	Shell     string `help:"bash, zsh or fish (default: the shell $SHELL names)." enum:"bash,zsh,fish," default:""`
	Uninstall bool   `help:"Remove the completions installed before."`
	Print     bool   `help:"Print the script instead of installing it (to keep it with your dotfiles)."`
}

// Help explains the command in detail.
func (c *InstallCompletionsCmd) Help() string {
	return `Installs TAB completion of wf's commands, flags, .wf and JSON files, workflow names
(after a file), run ids and List names (from the store), for the shell:

  bash  $XDG_DATA_HOME/bash-completion/completions/wf (loaded by the bash-completion package)
  zsh   $XDG_DATA_HOME/wf/completion.zsh, sourced from ~/.zshrc (a line is added)
  fish  $XDG_CONFIG_HOME/fish/completions/wf.fish

($XDG_DATA_HOME defaults to ~/.local/share, $XDG_CONFIG_HOME to ~/.config.) Where no
completion applies, the shell completes file names as usual. --uninstall removes what
was installed; --print prints the script instead.`
}

// completionTarget is where a shell's script goes.
type completionTarget struct {
	file string // the script
	rc   string // for zsh, the rc file that sources it
}

// Run installs, prints or removes the completions.
func (c *InstallCompletionsCmd) Run(g *Globals) error {
	shell := c.Shell
	if shell == "" {
		shell = filepath.Base(os.Getenv("SHELL"))
		if shell != "bash" && shell != "zsh" && shell != "fish" {
			return fail(exitUsage, "wf install-completions: cannot tell your shell from $SHELL (%q): give --shell bash, zsh or fish", os.Getenv("SHELL"))
		}
	}
	bin, err := os.Executable()
	if err == nil {
		bin, err = filepath.Abs(bin)
	}
	if err != nil {
		return fail(exitFailed, "wf install-completions: cannot find the wf executable: %v", err)
	}
	script := completionScript(shell, bin)
	if c.Print {
		fmt.Fprint(g.stdout, script)
		return nil
	}
	t, err := targetFor(shell)
	if err != nil {
		return fail(exitFailed, "wf install-completions: %v", err)
	}
	if c.Uninstall {
		return c.uninstall(g, shell, t)
	}
	if err := os.MkdirAll(filepath.Dir(t.file), 0o755); err != nil {
		return fail(exitFailed, "wf install-completions: %v", err)
	}
	if err := os.WriteFile(t.file, []byte(script), 0o644); err != nil {
		return fail(exitFailed, "wf install-completions: %v", err)
	}
	if t.rc != "" {
		if err := addLine(t.rc, sourceLine(t.file)); err != nil {
			return fail(exitFailed, "wf install-completions: %v", err)
		}
	}
	fmt.Fprintf(g.stdout, "installed %s completions in %s\n", shell, t.file)
	switch shell {
	case "bash":
		fmt.Fprintf(g.stdout, "new shells load them with the bash-completion package; without it, add to ~/.bashrc:\n  source %s\n", shellQuote(t.file))
	case "zsh":
		fmt.Fprintf(g.stdout, "%s sources them in new shells\n", t.rc)
	default:
		fmt.Fprintln(g.stdout, "new shells load them")
	}
	return nil
}

func (c *InstallCompletionsCmd) uninstall(g *Globals, shell string, t completionTarget) error {
	removed := false
	if err := os.Remove(t.file); err == nil {
		removed = true
	} else if !os.IsNotExist(err) {
		return fail(exitFailed, "wf install-completions: %v", err)
	}
	if t.rc != "" {
		dropped, err := dropLine(t.rc, sourceLine(t.file))
		if err != nil {
			return fail(exitFailed, "wf install-completions: %v", err)
		}
		removed = removed || dropped
	}
	if !removed {
		fmt.Fprintf(g.stdout, "no %s completions were installed (%s)\n", shell, t.file)
		return nil
	}
	fmt.Fprintf(g.stdout, "removed the %s completions (%s)\n", shell, t.file)
	return nil
}

// targetFor returns where a shell's completions are installed.
func targetFor(shell string) (completionTarget, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return completionTarget{}, err
	}
	data := os.Getenv("XDG_DATA_HOME")
	if data == "" {
		data = filepath.Join(home, ".local", "share")
	}
	config := os.Getenv("XDG_CONFIG_HOME")
	if config == "" {
		config = filepath.Join(home, ".config")
	}
	switch shell {
	case "bash":
		return completionTarget{file: filepath.Join(data, "bash-completion", "completions", "wf")}, nil
	case "zsh":
		rcDir := os.Getenv("ZDOTDIR")
		if rcDir == "" {
			rcDir = home
		}
		return completionTarget{file: filepath.Join(data, "wf", "completion.zsh"), rc: filepath.Join(rcDir, ".zshrc")}, nil
	}
	return completionTarget{file: filepath.Join(config, "fish", "completions", "wf.fish")}, nil
}

// completionScript is the script that makes a shell ask bin to complete
// wf. Where wf offers nothing, bash and zsh fall back to file names
// (-o default); fish completes files beside wf's candidates.
func completionScript(shell, bin string) string {
	q := shellQuote(bin)
	switch shell {
	case "bash":
		return "# wf completions (wf install-completions)\ncomplete -o default -o bashdefault -C " + q + " wf\n"
	case "zsh":
		return "# wf completions (wf install-completions)\nautoload -U +X bashcompinit && bashcompinit\ncomplete -o default -C " + q + " wf\n"
	}
	return `# wf completions (wf install-completions)
function __wf_complete
    set -lx COMP_LINE (commandline -cp)
    test -z (commandline -ct)
    and set COMP_LINE "$COMP_LINE "
    ` + q + `
end
complete -c wf -a "(__wf_complete)"
`
}

// shellQuote quotes s for bash, zsh and fish.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func sourceLine(file string) string { return "source " + shellQuote(file) + " # wf completions" }

// addLine appends line to the file unless it is there already.
func addLine(path, line string) error {
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	for _, l := range strings.Split(string(data), "\n") {
		if l == line {
			return nil
		}
	}
	if len(data) > 0 && !strings.HasSuffix(string(data), "\n") {
		data = append(data, '\n')
	}
	return os.WriteFile(path, append(data, line+"\n"...), 0o644)
}

// dropLine removes line from the file, reporting whether it was there.
func dropLine(path, line string) (bool, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	lines := strings.SplitAfter(string(data), "\n")
	var kept []string
	for _, l := range lines {
		if strings.TrimRight(l, "\n") != line {
			kept = append(kept, l)
		}
	}
	if len(kept) == len(lines) {
		return false, nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return true, os.WriteFile(path, []byte(strings.Join(kept, "")), info.Mode().Perm())
}
