package main

import (
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected output in testscript files")

func TestMain(m *testing.M) {
	// The crash harness starts this test binary as wf itself (and kills it).
	if os.Getenv("WF_TEST_AS_WF") == "1" {
		os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	testscript.Main(m, map[string]func(){
		"wf": func() { os.Exit(Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script, one per subcommand.
// Each starts in a fresh directory holding a copy of examples/; the store
// is $WORK/.wf/wf.db.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			return copyDir("../../examples", filepath.Join(env.WorkDir, "examples"))
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sink":     sinkCmd,
			"trimnl":   trimNewlineCmd,
			"waitaddr": waitAddrCmd,
		},
	})
}

// sinkCmd is `sink NAME [STATUS]`: it starts a loopback HTTP server that
// records each request as one JSON line in $WORK/NAME.log and answers with
// STATUS (200 by default), and sets $NAME to its URL.
func sinkCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: sink NAME [STATUS]")
	}
	name := args[0]
	status := http.StatusOK
	if len(args) > 1 {
		switch args[1] {
		case "500":
			status = http.StatusInternalServerError
		case "404":
			status = http.StatusNotFound
		}
	}
	logPath := ts.MkAbs(name + ".log")
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		line, _ := json.Marshal(map[string]string{"method": r.Method, "path": r.URL.Path, "body": string(body),
			"content_type": r.Header.Get("Content-Type")})
		mu.Lock()
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			f.Write(append(line, '\n'))
			f.Close()
		}
		mu.Unlock()
		w.WriteHeader(status)
		if status == http.StatusOK {
			io.WriteString(w, "ok")
		} else {
			io.WriteString(w, "no_service")
		}
	}))
	ts.Defer(srv.Close)
	ts.Setenv(name, srv.URL+"/hook/"+strings.ToLower(name))
}

// trimNewlineCmd is `trimnl FILE`: it removes the newlines at the end of
// FILE (txtar always ends a file with one).
func trimNewlineCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: trimnl FILE")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	ts.Check(os.WriteFile(path, []byte(strings.TrimRight(string(data), "\n")), 0o644))
}

// waitAddrCmd is `waitaddr FILE VAR`: it waits (up to 30s) for a wf serve
// started in the background to write its address to FILE (--addr-file) and
// sets $VAR to it.
func waitAddrCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitaddr FILE VAR")
	}
	path := ts.MkAbs(args[0])
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil {
			ts.Setenv(args[1], strings.TrimSpace(string(b)))
			return
		}
	}
	ts.Fatalf("%s was not written", args[0])
}

func copyDir(src, dst string) error {
	return filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
