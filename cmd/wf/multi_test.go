package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/runtime/store/postgres"
	"github.com/wf-lang/wf/runtime/store/postgres/pgtest"
	"github.com/wf-lang/wf/stdlib/httpx"
)

// multiPoolMax is each instance's --pool-max: with the three connections an instance holds
// outside its pool, four processes at once (the killed one's connections may outlive it a
// moment) stay far under PostgreSQL's default max_connections of 100, leaving room for the
// other packages' tests that CI runs at the same time.
const multiPoolMax = 8

// The multi-instance proof: three `wf serve` processes on different loopback ports share
// one PostgreSQL database (River hands the runs to all of them); signed webhooks are spread
// across them; one is killed with SIGKILL in the middle of the load and started again. At
// the end every accepted webhook has exactly one completed run, no Persona effect was
// applied twice (counted by Idempotency-Key at a recording fake of the Persona API), and
// each tick of an `on every` trigger was fired by exactly one scheduler.
//
// It runs when $WF_TEST_POSTGRES_URL names a server (CI sets it). The killed instance
// starts again after 2 s, and on this machine its start marks the dead process stopped, so
// the leader's recovery (every 5 s) queues again its runs: those it had claimed and those
// whose job it had fetched but not yet claimed. River's rescuer also hands the dead
// instance's jobs to the others after --rescue-after (3 s here) and its 30 s round. With the
// restart put off (WF_MULTI_RESTART_AFTER=60s), the others take everything over by
// themselves once its heartbeat is 15 s old. A longer one:
//
//	WF_MULTI_WEBHOOKS=2000 WF_MULTI_RESTART_AFTER=60s go test ./cmd/wf -run MultiInstance -v
func TestMultiInstance(t *testing.T) {
	if testing.Short() {
		t.Skip("the multi-instance proof starts and kills processes; skipped with -short")
	}
	url := pgtest.URL(t)
	webhooks := envInt(t, "WF_MULTI_WEBHOOKS", 300)
	restartAfter := 2 * time.Second
	if v := os.Getenv("WF_MULTI_RESTART_AFTER"); v != "" {
		d, err := time.ParseDuration(v)
		require.NoError(t, err, "WF_MULTI_RESTART_AFTER")
		restartAfter = d
	}
	dir := t.TempDir()
	flows := filepath.Join(dir, "flows")
	require.NoError(t, os.MkdirAll(flows, 0o755))
	sink, persona := newSinkCounter(t), newFakePersona(t)
	// A slow call keeps runs in flight, so the kill finds some to take over.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(40 * time.Millisecond)
		w.Write([]byte(`{"ok": true}`))
	}))
	defer slow.Close()
	require.NoError(t, os.WriteFile(filepath.Join(flows, "crash.wf"), []byte(fmt.Sprintf(`
workflow crash_test {
  on event "inquiry.completed"

  run inquiry.add_tag(trigger.id, "screened")
  run http.post(%q, json: {event: event.id})
  run http.get(%q)
  run case.create(template: "crash-test", objects: [trigger.id])
}

workflow ticker {
  on every 1s

  log "tick"
}
`, sink.srv.URL, slow.URL)), 0o644))
	const secret = "wbhsec_multi"
	// Each process connects under an application_name of its own, so its connections can be
	// counted (see below).
	storeURL := func(name string) string {
		u, err := neturl.Parse(url)
		require.NoError(t, err)
		q := u.Query()
		q.Set("application_name", name)
		u.RawQuery = q.Encode()
		return u.String()
	}
	wf := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], append(args, "--store", storeURL(name))...)
		cmd.Env = append(os.Environ(), "WF_TEST_AS_WF=1", "PERSONA_API_KEY=persona_test_key", "NO_COLOR=1")
		return cmd
	}
	out, err := wf("wf_multi_tokens", "serve", "tokens", "create", "harness").Output()
	require.NoError(t, err)
	token := strings.TrimSpace(string(out))

	// Each instance logs to a file of its own; a restarted one appends. Every process
	// started is killed when the test ends, however it ends (ownChild, t.Cleanup).
	logPath := func(i int) string { return filepath.Join(dir, fmt.Sprintf("serve%d.log", i)) }
	var appNames sync.Map // application_name → instance
	started := 0
	start := func(i int) (*wfProcess, error) {
		addrFile := filepath.Join(dir, fmt.Sprintf("addr%d", i))
		_ = os.Remove(addrFile)
		logs, err := os.OpenFile(logPath(i), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		defer logs.Close()
		started++
		name := fmt.Sprintf("wf_multi_%d_%d", i, started)
		appNames.Store(name, i)
		cmd := wf(name, "serve", flows, "--listen", "127.0.0.1:0", "--addr-file", addrFile, "--webhook-secret", secret,
			"--backend", "api", "--persona-url", persona.srv.URL, "--persona-rate", "1000000", "--allow-loopback",
			"--workers", strconv.Itoa(crashWorkers), "--rescue-after", "3s", "--log-format", "json", "--reload", "0", "--no-console",
			"--pool-max", strconv.Itoa(multiPoolMax))
		cmd.Stderr = logs
		ownChild(cmd)
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		p := &wfProcess{cmd: cmd}
		t.Cleanup(p.kill)
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if b, err := os.ReadFile(addrFile); err == nil {
				p.addr = "http://" + strings.TrimSpace(string(b))
				return p, nil
			}
		}
		p.kill()
		return nil, fmt.Errorf("wf serve %d did not start; see %s", i, logPath(i))
	}

	// The connections each process holds, sampled: --pool-max bounds them (plus the three
	// each instance holds outside its pool), so instances × (pool-max + 3) is what to keep
	// under PostgreSQL's max_connections.
	peak := map[string]int{}
	var peakMu sync.Mutex
	sampling, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		conn, err := pgx.Connect(context.Background(), os.Getenv(pgtest.EnvURL))
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		for {
			rows, err := conn.Query(context.Background(), `SELECT application_name, COUNT(*) FROM pg_stat_activity
				WHERE application_name LIKE 'wf_multi_%' GROUP BY 1`)
			if err == nil {
				peakMu.Lock()
				for rows.Next() {
					var name string
					var n int
					if rows.Scan(&name, &n) == nil {
						peak[name] = max(peak[name], n)
					}
				}
				peakMu.Unlock()
				rows.Close()
			}
			select {
			case <-sampling:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()

	var mu sync.Mutex
	procs := make([]*wfProcess, 3) // nil while an instance is down
	for i := range procs {
		p, err := start(i)
		require.NoError(t, err)
		procs[i] = p
	}
	// addrOf picks the instance for an attempt: round robin over the live ones.
	addrOf := func(n int) string {
		mu.Lock()
		defer mu.Unlock()
		for k := range procs {
			if p := procs[(n+k)%len(procs)]; p != nil {
				return p.addr
			}
		}
		return ""
	}
	// A goroutine that cannot go on says why here and stops the others (t.FailNow belongs
	// to the test's goroutine).
	var abort atomic.Pointer[string]
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		abort.CompareAndSwap(nil, &msg)
	}

	began := time.Now()
	var accepted, sent atomic.Int64
	byInstance := make([]atomic.Int64, len(procs))
	next := make(chan int)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				body := crashEvent(i)
				for attempt := 0; abort.Load() == nil; attempt++ {
					if attempt == 2000 {
						fail("webhook %d was never accepted", i)
						break
					}
					target := (i + attempt) % len(procs)
					addr := addrOf(target)
					req, _ := http.NewRequest(http.MethodPost, addr+"/webhooks/persona", bytes.NewReader(body))
					req.Header.Set("Persona-Signature", httpx.Sign(secret, time.Now(), body))
					sent.Add(1)
					resp, err := client.Do(req)
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							accepted.Add(1)
							byInstance[target].Add(1)
							break
						}
					}
					time.Sleep(10 * time.Millisecond) // Persona retries a webhook that got no 200
				}
			}
		}()
	}
	// The killer: instance 1 gets SIGKILL a third of the way in, and starts again
	// restartAfter later.
	killed := make(chan struct{})
	go func() {
		defer close(killed)
		for accepted.Load() < int64(webhooks/3) && abort.Load() == nil {
			time.Sleep(time.Millisecond)
		}
		mu.Lock()
		victim := procs[1]
		procs[1] = nil
		mu.Unlock()
		victim.kill() // SIGKILL: no shutdown, no goodbye
		t.Logf("killed instance 1 after %d accepted webhooks", accepted.Load())
		time.Sleep(restartAfter)
		p, err := start(1)
		if err != nil {
			fail("restarting instance 1: %v", err)
			return
		}
		mu.Lock()
		procs[1] = p
		mu.Unlock()
	}()
	for i := range webhooks {
		next <- i
	}
	close(next)
	wg.Wait()
	<-killed
	if msg := abort.Load(); msg != nil {
		t.Fatalf("%s; the instances' logs: %s", *msg, multiLogErrors(t, logPath, len(procs)))
	}
	t.Logf("all %d webhooks accepted after %s (%d sent with retries; by instance %d, %d, %d)", webhooks,
		time.Since(began).Round(time.Millisecond), sent.Load(), byInstance[0].Load(), byInstance[1].Load(), byInstance[2].Load())

	// The longest a run waits to be taken over after the kill is River's rescue of a job
	// the dead instance had fetched but not claimed (docs/scaling.md): --rescue-after, the
	// rescuer's 30 s round and a new River leader's election. Three minutes is ample, but
	// not past the test binary's own timeout, whose panic would skip every report.
	waitUntil := time.Now().Add(3 * time.Minute)
	if d, ok := t.Deadline(); ok && d.Add(-30*time.Second).Before(waitUntil) {
		waitUntil = d.Add(-30 * time.Second)
	}
	left := -1
	for ; time.Now().Before(waitUntil) && left != 0; time.Sleep(100 * time.Millisecond) {
		left = unfinished(t, addrOf(0), token)
	}
	t.Logf("every run ended after %s", time.Since(began).Round(time.Millisecond))
	if left != 0 {
		var stuck []string
		if st, err := postgres.Open(context.Background(), url, postgres.Options{}); err == nil {
			for _, status := range []string{"queued", "running", "parked", "interrupted"} {
				runs, _ := st.ListRuns(context.Background(), store.RunFilter{Status: status, Limit: 10})
				for _, r := range runs {
					stuck = append(stuck, fmt.Sprintf("%s %s owner=%q", r.ID, r.Status, r.Owner))
				}
			}
			var jobs []string
			rows, err := st.Pool().Query(context.Background(), `SELECT args::text, state::text, attempt, coalesce(errors::text, '') FROM river_job
				WHERE kind = 'wf_run' AND state <> 'completed'`)
			if err == nil {
				for rows.Next() {
					var args, state, errs string
					var attempt int
					_ = rows.Scan(&args, &state, &attempt, &errs)
					jobs = append(jobs, fmt.Sprintf("%s %s attempt %d %s", args, state, attempt, tail([]byte(errs), 300)))
				}
				rows.Close()
			}
			stuck = append(stuck, jobs...)
			st.Close()
		}
		t.Fatalf("%d runs were still unfinished (-1: the API did not answer): %s; the instances' logs: %s", left,
			strings.Join(stuck, "; "), multiLogErrors(t, logPath, len(procs)))
	}
	// Stop them cleanly, so no tick fires after the count.
	mu.Lock()
	for i, p := range procs {
		p.interrupt()
		procs[i] = nil
	}
	mu.Unlock()
	close(sampling)
	<-sampled
	for name, n := range peak {
		t.Logf("connections of %s: at most %d", name, n)
		assert.LessOrEqual(t, n, multiPoolMax+3, "%s held more connections than --pool-max allows", name)
	}
	_, sawAll := peak["wf_multi_0_1"]
	assert.True(t, sawAll || len(peak) == 0, "the sampler saw the instances' connections: %v", peak)

	// The record: one completed run per webhook.
	st, err := postgres.Open(context.Background(), url, postgres.Options{})
	require.NoError(t, err)
	defer st.Close()
	perInquiry, statuses, tickRuns := map[string]int{}, map[string]int{}, 0
	var after *store.Cursor
	for {
		page, err := st.ListRuns(context.Background(), store.RunFilter{Limit: store.MaxRunLimit, After: after})
		require.NoError(t, err)
		for _, r := range page {
			if r.Workflow == "ticker" {
				tickRuns++
				continue
			}
			perInquiry[r.TriggerID]++
			statuses[r.Status]++
		}
		if len(page) < store.MaxRunLimit {
			break
		}
		last := page[len(page)-1]
		after = &store.Cursor{StartedAt: last.StartedAt, ID: last.ID}
	}
	assert.Equal(t, map[string]int{"completed": webhooks}, statuses)
	assert.Len(t, perInquiry, webhooks)
	for inq, n := range perInquiry {
		if n != 1 {
			t.Errorf("inquiry %s has %d runs", inq, n)
		}
	}
	effects, doubled := persona.twice()
	assert.Equal(t, 2*webhooks, effects, "every run applied its two Persona effects")
	assert.Zero(t, doubled, "no Persona effect applied twice")
	sink.mu.Lock()
	distinct := len(sink.calls)
	sink.mu.Unlock()
	assert.Equal(t, webhooks, distinct, "every run made its HTTP call")

	// The kill found runs in flight, and they were taken over: their jobs were worked
	// again (River's rescuer, a retry) or the runs recovered by the scheduler.
	var retried int
	require.NoError(t, st.Pool().QueryRow(context.Background(),
		`SELECT COUNT(*) FROM river_job WHERE kind = 'wf_run' AND attempt > 1`).Scan(&retried))
	if rows, err := st.Pool().Query(context.Background(), `SELECT state::text, attempt, COUNT(*) FROM river_job
		WHERE kind = 'wf_run' GROUP BY 1, 2 ORDER BY 1, 2`); err == nil {
		for rows.Next() {
			var state string
			var attempt, n int
			_ = rows.Scan(&state, &attempt, &n)
			t.Logf("wf_run jobs %s, attempt %d: %d", state, attempt, n)
		}
		rows.Close()
	}
	recovered := 0
	for i := range procs {
		b, err := os.ReadFile(logPath(i))
		require.NoError(t, err)
		recovered += bytes.Count(b, []byte(`"continuing runs left by a previous process"`))
	}
	t.Logf("taken over after the kill: %d run jobs worked again, %d recoveries", retried, recovered)
	assert.Positive(t, retried+recovered, "the kill left runs to take over")

	// Each tick fired once, by one instance: the schedulers' logs name every tick they fired.
	fired := map[string][]int{}
	for i := range procs {
		f, err := os.Open(logPath(i))
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var line struct {
				Msg, Workflow, Tick string
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && strings.HasPrefix(line.Msg, "schedule tick fired") && line.Workflow == "ticker" {
				fired[line.Tick] = append(fired[line.Tick], i)
			}
		}
		f.Close()
	}
	require.NotEmpty(t, fired, "the ticker fired")
	for tick, by := range fired {
		assert.Len(t, by, 1, "tick %s fired by instances %v", tick, by)
	}
	assert.Equal(t, len(fired), tickRuns, "one run per tick fired")
	t.Logf("%d webhooks, %d runs completed, %d Persona effects (%d doubled), %d ticks fired, each by one instance",
		webhooks, statuses["completed"], effects, doubled, len(fired))
}

// kill ends the process with SIGKILL (its process group too) and reaps it.
func (p *wfProcess) kill() {
	p.once.Do(func() {
		killChild(p.cmd)
		_ = p.cmd.Wait()
	})
}

// interrupt stops the process as Ctrl-C does, and kills it if it has not stopped within a
// minute.
func (p *wfProcess) interrupt() {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		timer := time.AfterFunc(time.Minute, func() { killChild(p.cmd) })
		defer timer.Stop()
		_ = p.cmd.Wait()
	})
}

// multiLogErrors sums up the warnings and errors in the instances' logs: how many of each
// message, with one example.
func multiLogErrors(t *testing.T, logPath func(int) string, n int) string {
	type seen struct {
		n       int
		example string
	}
	byMsg := map[string]*seen{}
	var order []string
	for i := range n {
		f, err := os.Open(logPath(i))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var line struct{ Level, Msg, Error string }
			if json.Unmarshal(sc.Bytes(), &line) != nil || (line.Level != "WARN" && line.Level != "ERROR") {
				continue
			}
			key := line.Level + " " + line.Msg
			if byMsg[key] == nil {
				byMsg[key] = &seen{example: fmt.Sprintf("instance %d: %s", i, tail(sc.Bytes(), 400))}
				order = append(order, key)
			}
			byMsg[key].n++
		}
		f.Close()
	}
	if len(order) == 0 {
		return "no warnings or errors"
	}
	var b strings.Builder
	for _, k := range order {
		fmt.Fprintf(&b, "\n  %d× %s (e.g. %s)", byMsg[k].n, k, byMsg[k].example)
	}
	return b.String()
}
