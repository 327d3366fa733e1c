// Command load is the load harness of `wf serve`: it builds wf, starts
// `wf serve` on a copy of the decline_blocked_ip example over a fresh
// embedded store, sends N signed Persona webhooks over loopback HTTP from C
// connections, waits until every run is recorded as completed, and reports
// accepted webhooks/s, completed runs/s, the p50/p99 acknowledgement and
// end-to-end latencies, and the service's CPU and memory. In the same run it
// writes the same rows with raw SQL into a SQLite file (prepared
// statements, one transaction per batch, as the service's group commit
// does) and reports that rate: the floor of what recording costs.
//
// With -pg URL it also serves the same webhooks from 1, 2 and 3 `wf serve`
// instances (-instances) sharing one PostgreSQL database (a new schema each,
// migrated with wf migrate; the River queue), spreading the webhooks over
// them, and reports the same measures per configuration, with the CPU of the
// wf processes and of PostgreSQL's.
//
//	cd bench && go run ./cmd/load -n 20000 -c 32
//	cd bench && go run ./cmd/load -n 5000 -c 32 -pg postgres://postgres@127.0.0.1:5432/test
package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite"

	"github.com/wf-lang/wf/runtime/store/sqlite"
	"github.com/wf-lang/wf/stdlib/httpx"
)

const secret = "wbhsec_load"

var debugAddr string

func main() {
	n := flag.Int("n", 20000, "webhooks to send")
	c := flag.Int("c", 32, "concurrent connections")
	workers := flag.Int("workers", 64, "wf serve --workers")
	sync := flag.String("synchronous", "normal", "wf serve --synchronous (normal or full)")
	keep := flag.Bool("keep", false, "keep the temporary folder (store, log)")
	flag.StringVar(&debugAddr, "debug-addr", "", "pass wf serve --debug-addr (profile it while the load runs)")
	pg := flag.String("pg", "", "also measure wf serve on this PostgreSQL server (a new schema per configuration)")
	instances := flag.String("instances", "1,2,3", "with -pg: the numbers of instances to measure")
	flag.Parse()
	if err := run(*n, *c, *workers, *sync, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
	if *pg == "" {
		return
	}
	if err := runShared(*pg, *instances, *n, *c, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(n, conns, workers int, synchronous string, keep bool) error {
	dir, err := os.MkdirTemp("", "wf-load-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(dir)
	} else {
		fmt.Println("folder:", dir)
	}
	wf := filepath.Join(dir, "wf")
	build := exec.Command("go", "build", "-o", wf, "./cmd/wf")
	build.Dir, build.Stderr = "..", os.Stderr // in WF's own module
	if err := build.Run(); err != nil {
		return fmt.Errorf("building wf: %w", err)
	}
	flows := filepath.Join(dir, "flows")
	if err := os.MkdirAll(flows, 0o755); err != nil {
		return err
	}
	src, err := os.ReadFile(filepath.Join("..", "examples", "decline_blocked_ip.wf"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(flows, "decline_blocked_ip.wf"), src, 0o644); err != nil {
		return err
	}
	storePath := filepath.Join(dir, ".wf", "wf.db")
	addrFile := filepath.Join(dir, "addr")
	logf, err := os.Create(filepath.Join(dir, "serve.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	srv := exec.Command(wf, "serve", flows, "--store", storePath, "--listen", "127.0.0.1:0", "--addr-file", addrFile,
		"--webhook-secret", secret, "--fixtures", filepath.Join("..", "examples", "fixtures.json"),
		"--workers", strconv.Itoa(workers), "--synchronous", synchronous, "--log-level", "warn", "--no-console", "--reload", "0")
	if debugAddr != "" {
		srv.Args = append(srv.Args, "--debug-addr", debugAddr)
	}
	srv.Stderr = logf
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() {
		_ = srv.Process.Signal(os.Interrupt)
		_ = srv.Wait()
	}()
	base, err := waitAddr(addrFile)
	if err != nil {
		return err
	}
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = webhook(i)
	}
	cpu0, _ := cpuSeconds(srv.Process.Pid)
	sent := make([]time.Time, n)
	acks := make([]time.Duration, n)
	began := time.Now()
	if err := send(base, bodies, conns, sent, acks); err != nil {
		return err
	}
	acceptedIn := time.Since(began)
	finished, err := waitCompleted(storePath, n)
	if err != nil {
		return err
	}
	completedIn := time.Since(began)
	cpu1, _ := cpuSeconds(srv.Process.Pid)
	rss, _ := peakRSS(srv.Process.Pid)
	e2e := make([]time.Duration, 0, n)
	for i, f := range finished {
		if !f.IsZero() {
			e2e = append(e2e, f.Sub(sent[i]))
		}
	}
	raw, err := rawRate(dir, n)
	if err != nil {
		return err
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("wf serve, decline_blocked_ip, %d webhooks over %d connections, %d workers, synchronous=%s (%s; load %s)\n\n",
		n, conns, workers, synchronous, time.Now().UTC().Format("2006-01-02"), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Println("| measure | value |")
	fmt.Println("|---|---:|")
	fmt.Printf("| webhooks accepted/s | %.0f |\n", float64(n)/acceptedIn.Seconds())
	fmt.Printf("| runs completed and recorded/s | %.0f |\n", float64(n)/completedIn.Seconds())
	fmt.Printf("| ack latency p50 / p99 | %s / %s |\n", pct(acks, 50), pct(acks, 99))
	fmt.Printf("| end-to-end latency p50 / p99 (webhook sent → run recorded completed) | %s / %s |\n", pct(e2e, 50), pct(e2e, 99))
	fmt.Printf("| service CPU (cores busy, on average) | %.2f |\n", (cpu1-cpu0)/completedIn.Seconds())
	fmt.Printf("| service CPU per run | %s |\n", time.Duration((cpu1-cpu0)/float64(n)*1e9).Round(time.Microsecond))
	fmt.Printf("| service peak RSS | %.0f MB |\n", float64(rss)/1e6)
	fmt.Printf("| raw SQLite, the same rows, batched like group commit | %.0f runs/s |\n", raw)
	return nil
}

func waitAddr(path string) (string, error) {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil {
			return "http://" + strings.TrimSpace(string(b)), nil
		}
	}
	return "", fmt.Errorf("wf serve did not start")
}

func inquiry(i int) string { return fmt.Sprintf("inq_load%07d", i) }

// webhook is an inquiry.completed event from a blocked IP address.
func webhook(i int) []byte {
	return []byte(fmt.Sprintf(`{"data": {"type": "event", "id": "evt_load%07d", "attributes": {
  "name": "inquiry.completed", "created-at": "2026-11-20T12:15:00.000Z",
  "payload": {"data": {"type": "inquiry", "id": %q, "attributes": {
    "status": "completed", "reference-id": "user-%d", "created-at": "2026-11-20T12:02:11.000Z",
    "completed-at": "2026-11-20T12:15:00.000Z", "updated-at": "2026-11-20T12:15:00.000Z",
    "name-first": "Alex", "name-last": "Smith", "birthdate": "1985-01-20",
    "email-address": "alex.smith@example.com", "ip-address": "198.51.100.%d",
    "address-country-code": "US", "tags": [],
    "fields": {"birthdate": {"type": "date", "value": "1985-01-20"},
               "selfie-similarity": {"type": "float", "value": 0.93}}},
    "relationships": {"inquiry-template": {"data": {"type": "inquiry-template", "id": "itmpl_kyc"}}}}}}}}`,
		i, inquiry(i), i, i%250))
}

// send posts every body, conns at a time, retrying one that is not
// answered 200 (as Persona does).
func send(base string, bodies [][]byte, conns int, sent []time.Time, acks []time.Duration) error {
	next := make(chan int)
	errs := make(chan error, conns)
	var wg sync.WaitGroup
	tr := &http.Transport{MaxIdleConnsPerHost: conns}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				for attempt := 0; ; attempt++ {
					if attempt == 100 {
						errs <- fmt.Errorf("webhook %d was never accepted", i)
						return
					}
					req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/persona", bytes.NewReader(bodies[i]))
					now := time.Now()
					req.Header.Set("Persona-Signature", httpx.Sign(secret, now, bodies[i]))
					resp, err := client.Do(req)
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusOK {
							sent[i], acks[i] = now, time.Since(now)
							break
						}
					}
					time.Sleep(10 * time.Millisecond)
				}
			}
		}()
	}
	for i := range bodies {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	return <-errs
}

// waitCompleted waits until n runs are completed and returns when each
// inquiry's run finished.
func waitCompleted(storePath string, n int) ([]time.Time, error) {
	db, err := sql.Open("sqlite", "file:"+storePath+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		var done, failed int
		if err := db.QueryRow(`SELECT COUNT(*) FILTER (WHERE status = 'completed'), COUNT(*) FILTER (WHERE status = 'failed') FROM runs`).Scan(&done, &failed); err != nil {
			return nil, err
		}
		if failed > 0 {
			return nil, fmt.Errorf("%d runs failed", failed)
		}
		if done >= n {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("only %d of %d runs completed", done, n)
		}
	}
	rows, err := db.Query(`SELECT trigger_id, finished_at FROM runs`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]time.Time, n)
	for rows.Next() {
		var id string
		var fin int64
		if err := rows.Scan(&id, &fin); err != nil {
			return nil, err
		}
		if i, err := strconv.Atoi(strings.TrimPrefix(id, "inq_load")); err == nil && i < n {
			out[i] = time.Unix(0, fin)
		}
	}
	return out, rows.Err()
}

// rawRate writes, per run, the rows the service writes for one webhook of
// decline_blocked_ip (the event, the run, its delivery, the inquiry, the
// step's intent and outcome, the applied action, the inquiry declined, the
// run's end), with prepared statements, 256 runs a transaction, and
// returns runs/s.
func rawRate(dir string, n int) (float64, error) {
	path := filepath.Join(dir, "raw.db")
	st, err := sqlite.Open(context.Background(), path) // the store's schema
	if err != nil {
		return 0, err
	}
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	body := string(webhook(0))
	inq := `{"id":"inq","type":"inquiry","status":"completed","ip_address":"198.51.100.1","fields":{"birthdate":"1985-01-20"}}`
	qs := []string{
		`INSERT INTO events(id, name, received_at, body, status) VALUES (?, 'inquiry.completed', ?, ?, 'received')`,
		`INSERT INTO runs(id, workflow, version, status, trigger, event, seed, clock_start, started_at, dry_run, owner, event_id, trigger_id, root_id) VALUES (?, 'decline_blocked_ip', 'v', 'queued', ?, '{}', 7, ?, ?, 0, 'ins', ?, ?, ?)`,
		`INSERT INTO deliveries(event_id, workflow, status, run_id, at) VALUES (?, 'decline_blocked_ip', 'started', ?, ?)`,
		`INSERT INTO objects(kind, id, data, created_at, updated_at) VALUES ('inquiry', ?, ?, ?, ?)`,
		`UPDATE runs SET status = 'running' WHERE id = ?`,
		`INSERT INTO steps(run_id, key, seq, name, args, status, attempts, started_at) VALUES (?, 'k', 1, 'inquiry.decline', '{"id":"x"}', 'started', 0, ?)`,
		`INSERT INTO objects(kind, id, data, created_at, updated_at) VALUES ('applied_action', ?, ?, ?, ?)`,
		`UPDATE objects SET data = ?, updated_at = ? WHERE kind = 'inquiry' AND id = ?`,
		`UPDATE steps SET status = 'completed', result = ?, attempts = 1, finished_at = ? WHERE run_id = ? AND key = 'k'`,
		`UPDATE runs SET status = 'completed', outputs = '{}', finished_at = ?, owner = NULL WHERE id = ?`,
	}
	stmts := make([]*sql.Stmt, len(qs))
	for i, q := range qs {
		if stmts[i], err = db.Prepare(q); err != nil {
			return 0, err
		}
	}
	began := time.Now()
	for from := 0; from < n; from += 256 {
		tx, err := db.Begin()
		if err != nil {
			return 0, err
		}
		for i := from; i < min(from+256, n); i++ {
			id, ev, in, at := "run_"+strconv.Itoa(i), "evt_"+strconv.Itoa(i), inquiry(i), time.Now().UnixNano()
			for j, args := range [][]any{{ev, at, body}, {id, inq, at, at, ev, in, id}, {ev, id, at}, {in, inq, at, at},
				{id}, {id, at}, {id + ":k", inq, at, at}, {inq, at, in}, {inq, at, id}, {at, id}} {
				if _, err := tx.Stmt(stmts[j]).Exec(args...); err != nil {
					tx.Rollback()
					return 0, err
				}
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(began).Seconds(), nil
}

// cpuSeconds is the CPU time a process has used (user + system).
func cpuSeconds(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100, nil // USER_HZ
}

// peakRSS is a process's peak resident memory in bytes.
func peakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM")
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond)
}
