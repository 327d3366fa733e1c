package lsp

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/wf-lang/wf/lang"
)

// Values completion offers inside strings that name something outside the
// file: the Lists a list("…") may read and the time zones of tz "…".

// listName is a List's name and where completion found it.
type listName struct {
	name, from string
}

// Limits on the fixture files read for List names.
const (
	maxFixtureFiles = 50
	maxFixtureSize  = 1 << 20
)

// listNames returns the List names known around the document: those its
// package already reads (list("…") and lists.add/remove("…") with a
// literal name), those fixture files in its folder load (a JSON object
// with a "lists" key, as wf run --fixtures takes), and those of the store
// (Options.ListNames), sorted by name.
func (k *completer) listNames() []listName {
	seen := map[string]bool{}
	var out []listName
	add := func(name, from string) {
		if name != "" && !seen[name] {
			seen[name] = true
			out = append(out, listName{name, from})
		}
	}
	for _, f := range k.an.files {
		for _, d := range f.file.Decls {
			lang.Inspect(d, func(n lang.Node) bool {
				call, ok := n.(*lang.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				cal := k.an.prog.Info.Calls[call]
				if cal == nil || cal.Func == nil || !readsList(cal.Func.Name) {
					return true
				}
				if lit, ok := call.Args[0].Value.(*lang.StringLit); ok {
					if name, ok := lit.Static(); ok {
						add(name, "used in "+filepath.Base(f.path))
					}
				}
				return true
			})
		}
	}
	if k.an.uri.IsFile() {
		dir := filepath.Dir(k.an.path)
		for _, fx := range fixtureLists(dir) {
			add(fx.name, fx.from)
		}
		if k.lists != nil {
			for _, n := range k.lists(dir) {
				add(n, "store")
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func readsList(fn string) bool { return fn == "list" || fn == "lists.add" || fn == "lists.remove" }

// fixtureLists reads the List names of the fixture files in dir.
func fixtureLists(dir string) []listName {
	var out []listName
	for _, path := range jsonFiles(dir) {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		var fx struct {
			Lists map[string]json.RawMessage `json:"lists"`
		}
		if json.Unmarshal(data, &fx) != nil {
			continue
		}
		for name := range fx.Lists {
			out = append(out, listName{name, filepath.Base(path)})
		}
	}
	return out
}

// jsonFiles lists the .json files of dir that are small enough to read
// (at most maxFixtureFiles of them).
func jsonFiles(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, en := range entries {
		if en.IsDir() || !strings.HasSuffix(en.Name(), ".json") {
			continue
		}
		if info, err := en.Info(); err != nil || info.Size() > maxFixtureSize {
			continue
		}
		out = append(out, filepath.Join(dir, en.Name()))
		if len(out) == maxFixtureFiles {
			break
		}
	}
	return out
}

var (
	zonesOnce sync.Once
	zones     []string
)

// timeZones returns the IANA time zone names tz "…" accepts: those of the
// system's zone table (zone1970.tab under $ZONEINFO or /usr/share/zoneinfo)
// that Go's embedded database loads, as the checker does, plus UTC; and a
// short list of common zones when the system has no table.
func timeZones() []string {
	zonesOnce.Do(func() {
		names := []string{"UTC"}
		for _, dir := range []string{os.Getenv("ZONEINFO"), "/usr/share/zoneinfo"} {
			if dir == "" {
				continue
			}
			if zs := readZoneTable(filepath.Join(dir, "zone1970.tab")); len(zs) > 0 {
				names = append(names, zs...)
				break
			}
		}
		if len(names) == 1 {
			names = append(names, commonZones...)
		}
		seen := map[string]bool{}
		for _, n := range names {
			if !seen[n] {
				if _, err := time.LoadLocation(n); err == nil {
					seen[n] = true
					zones = append(zones, n)
				}
			}
		}
		sort.Strings(zones)
	})
	return zones
}

// readZoneTable reads the zone names (third column) of a zone1970.tab.
func readZoneTable(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if cols := strings.Split(line, "\t"); len(cols) >= 3 {
			out = append(out, cols[2])
		}
	}
	return out
}

// commonZones stands in for the system's table where there is none.
var commonZones = []string{
	"Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
	"America/Anchorage", "America/Bogota", "America/Chicago", "America/Denver", "America/Los_Angeles",
	"America/Mexico_City", "America/New_York", "America/Phoenix", "America/Sao_Paulo", "America/Toronto",
	"Asia/Dubai", "Asia/Hong_Kong", "Asia/Jakarta", "Asia/Kolkata", "Asia/Seoul", "Asia/Shanghai",
	"Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "Europe/Amsterdam", "Europe/Berlin",
	"Europe/Istanbul", "Europe/London", "Europe/Madrid", "Europe/Moscow", "Europe/Paris", "Europe/Rome",
	"Europe/Zurich", "Pacific/Auckland", "Pacific/Honolulu",
}
