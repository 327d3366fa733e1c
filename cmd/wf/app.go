package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/mattn/go-isatty"
	"github.com/willabides/kongplete"

	"github.com/wf-lang/wf/wftest"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // a run failed, a check found errors, files differ
	exitUsage  = 2 // bad flags or arguments, or a script that does not load
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// CLI is the whole command line.
type CLI struct {
	Globals

	Init     InitCmd     `cmd:"" help:"Start a project: a workflow, a sample event and editor settings."`
	Check    CheckCmd    `cmd:"" help:"Check .wf files for errors and warnings."`
	Fmt      FmtCmd      `cmd:"" help:"Format .wf files in the canonical layout."`
	Run      RunCmd      `cmd:"" help:"Run a workflow and record it in the store."`
	Test     TestCmd     `cmd:"" help:"Run the tests of *_test.wf files, with decision coverage."`
	Backtest BacktestCmd `cmd:"" help:"Replay recorded runs through a new version and list the decisions that change."`
	Runs     RunsCmd     `cmd:"" help:"List and show recorded runs."`
	Graph    GraphCmd    `cmd:"" help:"Draw workflows as diagrams (SVG, DOT, Mermaid), with the path a run took."`
	Serve    ServeCmd    `cmd:"" help:"Serve workflows: Persona webhooks, the HTTP API, schedules and waits."`
	Events   EventsCmd   `cmd:"" help:"Send events to a running wf serve."`
	Lists    ListsCmd    `cmd:"" help:"Manage Lists (blocked IPs, emails, countries…)."`
	Persona  PersonaCmd  `cmd:"" help:"Load and show objects of the local Persona backend."`
	Repl     ReplCmd     `cmd:"" help:"Explore data, expressions and workflows interactively."`
	Lsp      LspCmd      `cmd:"" help:"Run the language server on stdin and stdout."`
	Migrate  MigrateCmd  `cmd:"" help:"Bring the store's schema up to date (required on PostgreSQL before wf serve)."`
	Version  VersionCmd  `cmd:"" help:"Print the version."`

	InstallCompletions InstallCompletionsCmd `cmd:"" help:"Install shell completions (bash, zsh, fish)."`
}

// Globals are flags every subcommand takes.
type Globals struct {
	Store string `help:"The store: the path of the embedded SQLite file, or a PostgreSQL URL (postgres://USER@HOST/DB) that several wf serve share (run wf migrate first)." env:"WF_STORE" default:".wf/wf.db" placeholder:"PATH|URL"`
	// PoolMax and PoolMin size a PostgreSQL store's connection pool.
	PoolMax int32 `help:"Most connections to a PostgreSQL store (0: 20)." env:"WF_POOL_MAX" default:"0" placeholder:"N"`
	PoolMin int32 `help:"Connections to a PostgreSQL store kept open (0: 2)." env:"WF_POOL_MIN" default:"0" placeholder:"N"`
	// Synchronous is SQLite's durability setting for the store.
	Synchronous string `help:"Store durability: normal (a committed run survives a crash of the process) or full (it survives a power loss too, at a cost per commit)." enum:"normal,full" default:"normal" env:"WF_SYNCHRONOUS"`
	NoColor     bool   `help:"Never use colour (also: NO_COLOR)." name:"no-color"`
	// ShowVersion is --version.
	ShowVersion kong.VersionFlag `help:"Print the version and exit." name:"version"`
	// Config is read before the command line is parsed (see configResolver).
	Config string `help:"A JSON file of settings, keyed by flag name ({\"listen\": \"127.0.0.1:9000\"}); flags and environment variables win over it." env:"WF_CONFIG" type:"existingfile" placeholder:"FILE"`

	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// color reports whether to colour output written to w.
func (g *Globals) color(w io.Writer) bool {
	if g.NoColor || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// exitError ends the command with a code; msg, when set, is printed.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func fail(code int, format string, args ...any) error {
	return &exitError{code: code, msg: fmt.Sprintf(format, args...)}
}

const description = `WF runs identity workflows written as code.

A .wf file declares workflows that react to events (on event "inquiry.completed"),
API calls, other workflows, schedules or a person; decide with when; fan out with
parallel; and act with run (decline an inquiry, open a case, run a report, call an
HTTP API, post to Slack). Every run is recorded step by step in the embedded store
(.wf/wf.db), so it can be inspected, replayed and audited.

Exit status: 0 success, 1 a run failed or a check found errors, 2 bad usage or a
script that does not load.`

// kongExit stops parsing after kong printed help (or completions).
type kongExit struct{ code int }

// Main runs the command line and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			ke, ok := r.(kongExit)
			if !ok {
				panic(r)
			}
			status = ke.code
		}
	}()
	cli := &CLI{Globals: Globals{stdin: stdin, stdout: stdout, stderr: stderr}}
	resolver, err := configResolver(args)
	if err != nil {
		fmt.Fprintf(stderr, "wf: %v\n", err)
		return exitUsage
	}
	parser, err := kong.New(cli,
		kong.Resolvers(resolver),
		kong.Name("wf"),
		kong.Description(description),
		kong.UsageOnError(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, Summary: true}),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(kongExit{code}) }),
		kongVars(versionString()),
	)
	if err != nil {
		fmt.Fprintf(stderr, "wf: %v\n", err)
		return exitUsage
	}
	kongplete.Complete(parser, kongplete.WithPredictors(predictors()))
	if len(args) == 0 {
		args = []string{"--help"} // bare wf: the help, not "expected one of…"
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		var pe *kong.ParseError
		if errors.As(err, &pe) {
			fmt.Fprintf(stderr, "wf: %v\n", err)
			if pe.Context != nil && !strings.Contains(err.Error(), "expected one of") {
				fmt.Fprintf(stderr, "run 'wf %s --help' for usage\n", commandPath(pe.Context))
			}
			return exitUsage
		}
		fmt.Fprintf(stderr, "wf: %v\n", err)
		return exitUsage
	}
	if kctx == nil || kctx.Command() == "" {
		return exitOK // --help was printed
	}
	err = kctx.Run(&cli.Globals)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "wf: %v\n", err)
	return exitFailed
}

func commandPath(ctx *kong.Context) string {
	var parts []string
	for _, p := range ctx.Path {
		if p.Command != nil {
			parts = append(parts, p.Command.Name)
		}
	}
	return strings.Join(parts, " ")
}

// kongVars are the values the flags' help and defaults refer to.
func kongVars(version string) kong.Vars {
	return kong.Vars{"version": version, "js_test_timeout": wftest.DefaultJSTimeout.String()}
}
