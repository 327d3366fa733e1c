package repl

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
)

// The terminal tests run this test binary again as the program under
// test, on the slave side of a pseudo-terminal, and read its screen.
const (
	childEnv   = "WF_REPL_TEST_CHILD"
	storeEnv   = "WF_REPL_TEST_STORE"
	historyEnv = "WF_REPL_TEST_HISTORY"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(childMain())
	}
	os.Exit(m.Run())
}

// childMain is the program under test: an interactive REPL on this
// process's terminal, as wf repl starts it.
func childMain() int {
	clock := interp.NewFakeClock(epoch)
	eng, err := runtime.Open(context.Background(), runtime.Config{Store: os.Getenv(storeEnv), Clock: clock})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer eng.Close()
	r := New(Config{Engine: eng, Clock: clock, Interactive: true, Out: os.Stdout, Err: os.Stdout,
		HistoryPath: os.Getenv(historyEnv), SessionID: "repl_pty"})
	if _, err := r.Run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// waitTimeout bounds every wait for the screen; it is only reached when
// the program under test is broken.
const waitTimeout = 20 * time.Second

// term is a program running on a pseudo-terminal, and what its screen
// shows.
type term struct {
	t      *testing.T
	pty    *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	raw    []byte
	mark   int // lines before this row were there before the last send
	notify chan struct{}
	closed chan struct{} // the output ended
	exited chan struct{}
	err    error // the program's exit status
}

func startTerm(t *testing.T, store, history string) *term {
	t.Helper()
	if _, err := os.Stat("/dev/ptmx"); err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", storeEnv+"="+store, historyEnv+"="+history, "TERM=xterm", "NO_COLOR=1")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 60, Cols: 120})
	require.NoError(t, err)
	tm := &term{t: t, pty: f, cmd: cmd, notify: make(chan struct{}, 1), closed: make(chan struct{}), exited: make(chan struct{})}
	go tm.read()
	go func() {
		tm.err = cmd.Wait()
		close(tm.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-tm.exited:
		default:
			_ = cmd.Process.Kill()
			<-tm.exited
		}
		f.Close()
	})
	return tm
}

func (tm *term) read() {
	defer close(tm.closed)
	buf := make([]byte, 4096)
	for {
		n, err := tm.pty.Read(buf)
		if n > 0 {
			tm.mu.Lock()
			tm.raw = append(tm.raw, buf[:n]...)
			tm.mu.Unlock()
			select {
			case tm.notify <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

// screen renders what the terminal shows, and the cursor's row.
func (tm *term) screen() ([]string, int) {
	tm.mu.Lock()
	raw := string(tm.raw)
	tm.mu.Unlock()
	return render(raw)
}

// send types keys, after which waits look only at rows from the cursor's.
func (tm *term) send(keys string) {
	tm.t.Helper()
	_, row := tm.screen()
	tm.mark = row
	_, err := tm.pty.Write([]byte(keys))
	require.NoError(tm.t, err)
}

// waitFor waits until the screen satisfies ok, failing with the screen
// after waitTimeout or when the program's output ends first.
func (tm *term) waitFor(what string, ok func(lines []string, row int) bool) {
	tm.t.Helper()
	deadline := time.After(waitTimeout)
	ended := false
	for {
		lines, row := tm.screen()
		if ok(lines, row) {
			return
		}
		if ended {
			tm.t.Fatalf("the program ended before %s; screen:\n%s", what, strings.Join(lines, "\n"))
		}
		select {
		case <-tm.notify:
		case <-tm.closed:
			ended = true
		case <-deadline:
			tm.t.Fatalf("timed out waiting for %s; screen:\n%s", what, strings.Join(lines, "\n"))
		}
	}
}

// waitCurrent waits until the cursor's line reads want.
func (tm *term) waitCurrent(want string) {
	tm.t.Helper()
	tm.waitFor(fmt.Sprintf("the line being edited to read %q", want), func(lines []string, row int) bool {
		return row < len(lines) && lines[row] == want
	})
}

// waitLine waits until a line since the last send reads want.
func (tm *term) waitLine(want string) {
	tm.t.Helper()
	tm.waitFor(fmt.Sprintf("a line %q", want), func(lines []string, _ int) bool {
		for _, l := range lines[min(tm.mark, len(lines)):] {
			if l == want {
				return true
			}
		}
		return false
	})
}

// waitLinerReads waits until liner reads keys itself at a prompt. It shows
// the prompt a moment before; Ctrl-L (clear the screen) is answered only
// once it reads, so a Ctrl-C or Ctrl-D sent after this reaches liner, not
// the terminal's line discipline.
func (tm *term) waitLinerReads(prompt string) {
	tm.t.Helper()
	tm.send("\x0c")
	tm.waitFor("the screen to be cleared", func(lines []string, row int) bool {
		return row == 0 && lines[0] == prompt
	})
}

// waitExit waits for the program to end and checks it ended well.
func (tm *term) waitExit() {
	tm.t.Helper()
	select {
	case <-tm.exited:
		require.NoError(tm.t, tm.err)
	case <-time.After(waitTimeout):
		lines, _ := tm.screen()
		tm.t.Fatalf("the program did not end; screen:\n%s", strings.Join(lines, "\n"))
	}
}

// render plays terminal output onto a screen: text, CR, LF, backspace,
// and the cursor and erase sequences liner writes. Trailing spaces are
// trimmed from each line.
func render(raw string) ([]string, int) {
	lines := [][]rune{{}}
	row, col := 0, 0
	rs := []rune(raw)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\r':
			col = 0
		case r == '\n':
			row++
			for row >= len(lines) {
				lines = append(lines, []rune{})
			}
		case r == '\b':
			col = max(0, col-1)
		case r == 0x1b && i+1 < len(rs) && rs[i+1] == '[':
			j := i + 2
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == ';' || rs[j] == '?') {
				j++
			}
			if j == len(rs) {
				i = j
				break
			}
			n, err := strconv.Atoi(string(rs[i+2 : j]))
			if err != nil {
				n = 0
			}
			switch rs[j] {
			case 'G':
				col = max(0, n-1)
			case 'C':
				col += max(1, n)
			case 'D':
				col = max(0, col-max(1, n))
			case 'A':
				row = max(0, row-max(1, n))
			case 'B':
				row += max(1, n)
				for row >= len(lines) {
					lines = append(lines, []rune{})
				}
			case 'K':
				if col < len(lines[row]) {
					lines[row] = lines[row][:col]
				}
			case 'H':
				row, col = 0, 0
			case 'J':
				if n == 2 {
					lines, row, col = [][]rune{{}}, 0, 0
				}
			}
			i = j
		case r == 0x1b:
			i++ // a two-character escape: skipped
		case r < ' ' || r == 0x7f:
			// bell and other controls show nothing
		default:
			for len(lines[row]) < col {
				lines[row] = append(lines[row], ' ')
			}
			if col < len(lines[row]) {
				lines[row][col] = r
			} else {
				lines[row] = append(lines[row], r)
			}
			col++
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimRight(string(l), " ")
	}
	// The prompt's space is part of what a person sees.
	if row < len(lines) {
		out[row] = string(lines[row])
	}
	return out, row
}

func TestRenderPlaysCursorMoves(t *testing.T) {
	lines, row := render("> tri\x1b[1G> trigger\x1b[0K\r\nvalue\r\n> ab\x1b[2Dx")
	assert.Equal(t, []string{"> trigger", "value", "> xb"}, lines)
	assert.Equal(t, 2, row)
}

func TestTerminalSession(t *testing.T) {
	dir := t.TempDir()
	store, history := filepath.Join(dir, "wf.db"), filepath.Join(dir, "state", "repl_history")

	tm := startTerm(t, store, history)
	tm.waitLine("wf repl: effects go to the local Persona backend. :help for commands, Ctrl-D to leave.")
	tm.waitCurrent("> ")

	tm.send(":event testdata/inquiry.json\r")
	tm.waitLine("event inquiry.completed bound: trigger is inquiry inq_Test0001")
	tm.waitCurrent("> ")

	// TAB completes map keys of a value in scope, one level at a time.
	tm.send("trigger.fie\t")
	tm.waitCurrent("> trigger.fields")
	tm.send(".bir\t")
	tm.waitCurrent("> trigger.fields.birthdate")
	tm.send("\r")
	tm.waitLine(`"2010-09-30"`)
	tm.waitCurrent("> ")

	// Input continues while a brace is open.
	tm.send("let m = {\r")
	tm.waitCurrent("... ")
	tm.send("a: 40,\r")
	tm.waitCurrent("... ")
	tm.send("}\r")
	tm.waitCurrent("> ")
	tm.send("m.a + 2\r")
	tm.waitLine("42")
	tm.waitCurrent("> ")

	// TAB on a module lists its functions with their signatures; Ctrl-C
	// drops the line.
	tm.send("inquiry.\t")
	tm.waitLine("inquiry.decline(id: string, comment: string?) -> map")
	tm.waitCurrent("> inquiry.")
	tm.send("\x03")
	tm.waitCurrent("> ")

	// A unique function completes with its signature shown above.
	tm.send("years_si\t")
	tm.waitLine("years_since(t: string or time) -> int")
	tm.waitCurrent("> years_since(")
	tm.send("trigger.fields.birthdate)\r")
	tm.waitLine("15")
	tm.waitCurrent("> ")

	// Errors print as wf check prints them, and the session goes on.
	tm.send("nope + 1\r")
	tm.waitLine("in[6]:1:1: error: undefined name nope [undefined]")
	tm.waitLine(" 1 | nope + 1")
	tm.waitCurrent("> ")

	tm.send(":quit\r")
	tm.waitExit()

	saved, err := os.ReadFile(history)
	require.NoError(t, err)
	assert.Equal(t, ":event testdata/inquiry.json\ntrigger.fields.birthdate\nlet m = { a: 40, }\nm.a + 2\n"+
		"years_since(trigger.fields.birthdate)\nnope + 1\n:quit\n", string(saved),
		"the multi-line entry is kept as one line; the dropped line is not kept")

	// A new session recalls the history with the up arrow.
	tm = startTerm(t, store, history)
	tm.waitCurrent("> ")
	tm.send("\x1b[A")
	tm.waitCurrent("> :quit")
	tm.send("\x1b[A\x1b[A\x1b[A\x1b[A")
	tm.waitCurrent("> let m = { a: 40, }")
	tm.send("\r")
	tm.waitCurrent("> ")
	tm.send("m\r")
	tm.waitLine("{a: 40}")
	tm.waitCurrent("> ")
	tm.send("\x04") // Ctrl-D leaves
	tm.waitExit()
}

func TestTerminalCtrlCDropsAnUnfinishedEntry(t *testing.T) {
	dir := t.TempDir()
	tm := startTerm(t, filepath.Join(dir, "wf.db"), "")
	tm.waitCurrent("> ")
	tm.send("[1,\r")
	tm.waitCurrent("... ")
	tm.waitLinerReads("... ")
	tm.send("\x03")
	tm.waitCurrent("> ")
	tm.send("2 + 1\r") // read on its own: the dropped lines are gone
	tm.waitLine("3")
	tm.waitCurrent("> ")
	tm.send("\x04") // Ctrl-D leaves
	tm.waitExit()
}

func TestTerminalContinuationCtrlDTabAndWidth(t *testing.T) {
	dir := t.TempDir()
	tm := startTerm(t, filepath.Join(dir, "wf.db"), "")
	tm.waitCurrent("> ")

	// A line that ends in an operator goes on, as in a file.
	tm.send("let ok = 1 > 0 and\r")
	tm.waitCurrent("... ")
	tm.send("2 > 1\r")
	tm.waitCurrent("> ")
	tm.send("ok\r")
	tm.waitLine("true")
	tm.waitCurrent("> ")

	// A blank line ends an entry the grammar would go on with, so its
	// mistake shows.
	tm.send("let no = 1 +\r")
	tm.waitCurrent("... ")
	tm.send("\r")
	tm.waitLine("in[3]:1:13: error: expected expression, found end of file [syntax]")
	tm.waitCurrent("> ")

	// Ctrl-D at a ... prompt drops the entry; the session goes on.
	tm.send("[1,\r")
	tm.waitCurrent("... ")
	tm.waitLinerReads("... ")
	tm.send("\x04")
	tm.waitCurrent("> ")
	tm.send("2 + 1\r")
	tm.waitLine("3")
	tm.waitCurrent("> ")

	// TAB at an argument offers the parameters the call can still take.
	tm.send("inquiry.decline(\"inq_1\", co\t")
	tm.waitCurrent(`> inquiry.decline("inq_1", comment: `)
	tm.send("\x03")
	tm.waitCurrent("> ")

	// Values break at the terminal's width (120 columns here), not at 80.
	list := `["abcdefghij", "abcdefghij", "abcdefghij", "abcdefghij", "abcdefghij", "abcdefghij", "abcdefghij", "abcdefghij"]`
	require.Greater(t, len(list), 80)
	tm.send(list + "\r")
	tm.waitLine(list)
	tm.waitCurrent("> ")
	require.NoError(t, pty.Setsize(tm.pty, &pty.Winsize{Rows: 60, Cols: 60}))
	tm.send(list + "\r")
	tm.waitLine(`  "abcdefghij",`)
	tm.waitCurrent("> ")

	tm.send("\x04")
	tm.waitExit()
}
