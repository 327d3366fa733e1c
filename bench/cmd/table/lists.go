package main

import (
	"fmt"
	"strconv"
	"strings"
)

// listSizes returns the sizes the Lists benchmark ran, in order.
func listSizes(rs *results) []int {
	var out []int
	for _, name := range rs.order {
		if rest, ok := strings.CutPrefix(name, "Lists/open/"); ok {
			if n, err := strconv.Atoi(rest); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// renderLists writes the Lists table: import, open, lookup and change at
// each size the Lists benchmark ran.
func renderLists(b *strings.Builder, rs *results) {
	sizes := listSizes(rs)
	if len(sizes) == 0 {
		return
	}
	b.WriteString("| List of N IPv4 addresses | import rows/s | spread | re-import rows/s | spread | open ms | open MB allocated | " +
		"lookup CPU ns | native map lookup CPU ns | change µs |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range sizes {
		k := strconv.Itoa(n)
		fmt.Fprintf(b, "| %s | %.0f | %s | %.0f | %s | %s | %.2f | %s | %s | %s |\n", k, rs.med("Lists/import/"+k, "rows/s"),
			spread(rs.get("Lists/import/"+k).values("rows/s")), rs.med("Lists/reimport/"+k, "rows/s"),
			spread(rs.get("Lists/reimport/"+k).values("rows/s")), num(rs.med("Lists/open/"+k, "ns/op")/1e6),
			rs.med("Lists/open/"+k, "B/op")/(1<<20), num(rs.med("Lists/lookup/"+k, cpu)), num(rs.med("Lists/lookup-native/"+k, cpu)),
			num(rs.med("Lists/change/"+k, "ns/op")/1e3))
	}
	b.WriteString("\nimport: `wf lists import` of N rows into a new List (Service.Import: reading, checking and sorting " +
		"the file, writing the chunks; not the index file written after); re-import: the same file again; spread: half " +
		"the range of the rounds as a share of the median; open: a new Service's first Handle (what a `wf run` pays " +
		"before its first lookup), with the heap it allocates; lookup: Handle.Contains of a member or a stranger; " +
		"native map lookup: the same keys in the same order in a Go map[string]struct{} of the members (the " +
		"machine's floor for reaching a table of N items at random); " +
		"change: removing a member (an imported item) or adding it back, and taking the next Handle in the same " +
		"Service (what a long-running process pays to see it). Wall times except lookup.\n\n")
}

// listTargets checks the Lists targets at the largest size.
func listTargets(rs *results, row func(target, measured string, ok bool)) {
	sizes := listSizes(rs)
	if len(sizes) == 0 {
		return
	}
	k := strconv.Itoa(sizes[len(sizes)-1])
	open, mb := rs.med("Lists/open/"+k, "ns/op")/1e6, rs.med("Lists/open/"+k, "B/op")/(1<<20)
	row("List of "+k+": open in ≤ 100 ms and ≤ 64 MB", fmt.Sprintf("%s ms, %.0f MB", num(open), mb), open <= 100 && mb <= 64)
	look := rs.med("Lists/lookup/"+k, cpu)
	row("List of "+k+": lookup ≤ 100 ns", fmt.Sprintf("%s ns (a Go map of the same items, same keys: %s ns)",
		num(look), num(rs.med("Lists/lookup-native/"+k, cpu))), look <= 100)
	imp := rs.med("Lists/import/"+k, "rows/s")
	row("List of "+k+": import ≥ 500k rows/s", fmt.Sprintf("%.0f rows/s", imp), imp >= 500_000)
	small := strconv.Itoa(sizes[0])
	c, c0 := rs.med("Lists/change/"+k, "ns/op"), rs.med("Lists/change/"+small, "ns/op")
	row("List of "+k+": a change costs about what it costs at "+small+" (no rebuild)",
		fmt.Sprintf("%s µs (%s µs at %s)", num(c/1e3), num(c0/1e3), small), c0 > 0 && c <= 3*c0)
}
