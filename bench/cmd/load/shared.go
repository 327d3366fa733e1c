package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// runShared measures wf serve on PostgreSQL with each number of instances in counts.
func runShared(base, counts string, n, conns, workers int) error {
	dir, err := os.MkdirTemp("", "wf-load-pg-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	wf := filepath.Join(dir, "wf")
	build := exec.Command("go", "build", "-o", wf, "./cmd/wf")
	build.Dir, build.Stderr = "..", os.Stderr
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
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\nwf serve on PostgreSQL (River queue), decline_blocked_ip, %d webhooks over %d connections spread over the instances, %d workers each (%s; load %s)\n\n",
		n, conns, workers, time.Now().UTC().Format("2006-01-02"), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Println("| instances | webhooks accepted/s | runs completed/s | ack p50 / p99 | end-to-end p50 / p99 | wf CPU (cores) | PostgreSQL CPU (cores) | CPU per run (wf + PostgreSQL) | PostgreSQL commits per run |")
	fmt.Println("|---:|---:|---:|---|---|---:|---:|---:|---:|")
	for _, c := range strings.Split(counts, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || k < 1 {
			return fmt.Errorf("-instances: %q", c)
		}
		if err := measureShared(base, wf, flows, dir, k, n, conns, workers); err != nil {
			return err
		}
	}
	return nil
}

func measureShared(base, wf, flows, dir string, k, n, conns, workers int) error {
	ctx := context.Background()
	schema, cleanup, err := newSchema(ctx, base)
	if err != nil {
		return err
	}
	defer cleanup()
	store := withSearchPath(base, schema)
	if out, err := exec.Command(wf, "migrate", "--store", store).CombinedOutput(); err != nil {
		return fmt.Errorf("wf migrate: %v: %s", err, out)
	}
	fixtures := filepath.Join("..", "examples", "fixtures.json")
	var procs []*exec.Cmd
	var addrs []string
	defer func() {
		for _, p := range procs {
			_ = p.Process.Signal(os.Interrupt)
			_ = p.Wait()
		}
	}()
	for i := range k {
		addrFile := filepath.Join(dir, fmt.Sprintf("addr%d_%d", k, i))
		logf, err := os.Create(filepath.Join(dir, fmt.Sprintf("serve%d_%d.log", k, i)))
		if err != nil {
			return err
		}
		defer logf.Close()
		args := []string{"serve", flows, "--store", store, "--listen", "127.0.0.1:0", "--addr-file", addrFile,
			"--webhook-secret", secret, "--workers", strconv.Itoa(workers), "--log-level", "warn", "--no-console", "--reload", "0"}
		if i == 0 {
			args = append(args, "--fixtures", fixtures) // the Lists, once: the database is shared
			if debugAddr != "" {
				args = append(args, "--debug-addr", debugAddr)
			}
		}
		srv := exec.Command(wf, args...)
		srv.Stderr = logf
		if err := srv.Start(); err != nil {
			return err
		}
		procs = append(procs, srv)
		addr, err := waitAddr(addrFile)
		if err != nil {
			return err
		}
		addrs = append(addrs, addr)
	}
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = webhook(i)
	}
	wfCPU := func() float64 {
		total := 0.0
		for _, p := range procs {
			c, _ := cpuSeconds(p.Process.Pid)
			total += c
		}
		return total
	}
	wf0, pg0, tx0 := wfCPU(), postgresCPU(), commits(ctx, base)
	sent := make([]time.Time, n)
	acks := make([]time.Duration, n)
	began := time.Now()
	if err := sendSpread(addrs, bodies, conns, sent, acks); err != nil {
		return err
	}
	acceptedIn := time.Since(began)
	finished, err := waitCompletedPG(ctx, store, n)
	if err != nil {
		return err
	}
	completedIn := time.Since(began)
	wf1, pg1, tx1 := wfCPU(), postgresCPU(), commits(ctx, base)
	e2e := make([]time.Duration, 0, n)
	for i, f := range finished {
		if !f.IsZero() {
			e2e = append(e2e, f.Sub(sent[i]))
		}
	}
	secs := completedIn.Seconds()
	fmt.Printf("| %d | %.0f | %.0f | %s / %s | %s / %s | %.2f | %.2f | %s | %.1f |\n", k, float64(n)/acceptedIn.Seconds(), float64(n)/secs,
		pct(acks, 50), pct(acks, 99), pct(e2e, 50), pct(e2e, 99), (wf1-wf0)/secs, (pg1-pg0)/secs,
		time.Duration((wf1-wf0+pg1-pg0)/float64(n)*1e9).Round(time.Microsecond), float64(tx1-tx0)/float64(n))
	return nil
}

// sendSpread sends the webhooks as send does, webhook i to instance i mod len(addrs).
func sendSpread(addrs []string, bodies [][]byte, conns int, sent []time.Time, acks []time.Duration) error {
	errs := make(chan error, len(addrs))
	for a, addr := range addrs {
		var mine [][]byte
		var idx []int
		for i := a; i < len(bodies); i += len(addrs) {
			mine, idx = append(mine, bodies[i]), append(idx, i)
		}
		s, k := make([]time.Time, len(mine)), make([]time.Duration, len(mine))
		go func() {
			err := send(addr, mine, max(1, conns/len(addrs)), s, k)
			for j, i := range idx {
				sent[i], acks[i] = s[j], k[j]
			}
			errs <- err
		}()
	}
	var first error
	for range addrs {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// waitCompletedPG waits until n runs are completed and returns when each inquiry's run
// finished.
func waitCompletedPG(ctx context.Context, url string, n int) ([]time.Time, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	for deadline := time.Now().Add(10 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		var done, failed int
		if err := conn.QueryRow(ctx, `SELECT COUNT(*) FILTER (WHERE status = 'completed'), COUNT(*) FILTER (WHERE status = 'failed') FROM runs`).Scan(&done, &failed); err != nil {
			return nil, err
		}
		if failed > 0 {
			var msg string
			_ = conn.QueryRow(ctx, `SELECT COALESCE(error, '') FROM runs WHERE status = 'failed' LIMIT 1`).Scan(&msg)
			return nil, fmt.Errorf("%d runs failed: %s", failed, msg)
		}
		if done >= n {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("only %d of %d runs completed", done, n)
		}
	}
	rows, err := conn.Query(ctx, `SELECT trigger_id, finished_at FROM runs`)
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

// newSchema creates a schema for one configuration and returns a function that drops it.
func newSchema(ctx context.Context, base string) (string, func(), error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "wf_load_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		return "", nil, err
	}
	return schema, func() {
		if conn, err := pgx.Connect(ctx, base); err == nil {
			_, _ = conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`)
			_ = conn.Close(ctx)
		}
	}, nil
}

func withSearchPath(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// postgresCPU is the CPU time PostgreSQL's processes have used (user + system).
func postgresCPU() float64 {
	entries, _ := os.ReadDir("/proc")
	total := 0.0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil || !strings.HasPrefix(strings.TrimSpace(string(comm)), "postgres") {
			continue
		}
		c, _ := cpuSeconds(pid)
		total += c
	}
	return total
}

// commits is the database's count of committed transactions (every instance's, River's and
// this harness's polling included: a few per second).
func commits(ctx context.Context, base string) int64 {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return 0
	}
	defer conn.Close(ctx)
	var n int64
	_ = conn.QueryRow(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
	return n
}
