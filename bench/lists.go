package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/stdlib/lists"
)

// ListSizes are the List sizes of the Lists benchmark.
var ListSizes = []int{10_000, 100_000, 1_000_000}

// ListFixture is an embedded store holding one ip_address List of random
// IPv4 addresses, imported from a CSV file with a header row, as
// `wf lists import` does.
type ListFixture struct {
	Engine *runtime.Engine
	// Name is the List's name; CSV the file it was imported from.
	Name, CSV string
	// Members are the List's addresses; Strangers addresses not on it.
	Members, Strangers []string
}

// NewListFixture creates the store in dir and imports n addresses.
func NewListFixture(ctx context.Context, dir string, n int) (*ListFixture, error) {
	f := &ListFixture{Name: "ips", CSV: filepath.Join(dir, "ips.csv")}
	rng := rand.New(rand.NewPCG(uint64(n), 1))
	seen := make(map[uint32]bool, 2*n)
	for len(f.Members) < n || len(f.Strangers) < 1000 {
		v := rng.Uint32()
		if seen[v] {
			continue
		}
		seen[v] = true
		ip := fmt.Sprintf("%d.%d.%d.%d", v>>24, v>>16&255, v>>8&255, v&255)
		if len(f.Members) < n {
			f.Members = append(f.Members, ip)
		} else {
			f.Strangers = append(f.Strangers, ip)
		}
	}
	if err := writeCSV(f.CSV, f.Members); err != nil {
		return nil, err
	}
	eng, err := runtime.Open(ctx, runtime.Config{Store: filepath.Join(dir, "wf.db")})
	if err != nil {
		return nil, err
	}
	f.Engine = eng
	if _, err := f.Import(ctx, f.Name); err != nil {
		eng.Close()
		return nil, err
	}
	if _, err := f.Open(ctx); err != nil { // writes the index file, as wf lists import does
		eng.Close()
		return nil, err
	}
	return f, nil
}

// writeCSV writes the addresses under a header row.
func writeCSV(path string, ips []string) error {
	file, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(file)
	fmt.Fprintln(w, "value")
	for _, ip := range ips {
		fmt.Fprintln(w, ip)
	}
	if err := w.Flush(); err != nil {
		file.Close()
		return err
	}
	return file.Close()
}

// Import creates the List name (when new) and imports the fixture's CSV
// file into it, returning how many items were new.
func (f *ListFixture) Import(ctx context.Context, name string) (int, error) {
	svc := f.Engine.Lists
	if _, err := svc.Create(ctx, name, lists.KindIPAddress); err != nil && !errorsIsExists(err) {
		return 0, err
	}
	file, err := os.Open(f.CSV)
	if err != nil {
		return 0, err
	}
	defer file.Close()
	return svc.Import(ctx, name, file)
}

// Open resolves the List in a new Service over the fixture's store: what a
// process that has not read the List yet (a `wf run`) pays before its
// first lookup (mapping the List's index file when it has one).
func (f *ListFixture) Open(ctx context.Context) (*lists.Handle, error) {
	return lists.NewService(f.Engine.Lists.Store()).Handle(ctx, f.Name)
}

// Close closes the store.
func (f *ListFixture) Close() error { return f.Engine.Close() }

func errorsIsExists(err error) bool { return errors.Is(err, lists.ErrExists) }
