package main

import (
	"fmt"
	"strings"
)

// The peers WF must beat, and the baselines.
var (
	peers      = []string{"expr", "expr-struct", "cel-go", "goja", "starlark"}
	natives    = []string{"native-map", "native-set"} // over the dynamic data, as the engines read it
	structBase = "native-struct"
)

// cpu is the unit rule costs are compared in: the benchmark thread's CPU
// time (the wall time counts the time the thread waited for a core).
const cpu = "cpu-ns/op"

// render writes the machine line and the tables in Markdown.
func render(rs *results, m machine) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run of %s: %s, %d cores, %s; %d interleaved rounds of `-benchtime %s` per benchmark "+
		"(every benchmark once per round; odd rounds run each rule's engines in reverse order).\n",
		m.date, m.cpu, m.cores, m.goVersion, m.rounds, m.benchtime)
	if len(m.loads) > 0 {
		fmt.Fprintf(&b, "Load average (1, 5, 15 min) before each round, then at the end: %s. The machine is shared "+
			"with other work: times move with its load; ratios are taken within a round.\n",
			strings.Join(m.loads, "; "))
	}
	b.WriteString("\nEach cell is the median over the rounds; *spread* is half the range of the rounds as a share of " +
		"the median; a ratio is the median of the per-round ratios, with their range in brackets.\n\n")
	renderRules(&b, rs)
	renderParse(&b, rs)
	renderRun(&b, rs)
	renderLists(&b, rs)
	renderTargets(&b, rs)
	return b.String()
}

// rules returns the rule names in the order they ran.
func rules(rs *results) []string {
	var out []string
	for _, name := range rs.order {
		parts := strings.Split(name, "/")
		if len(parts) == 3 && parts[0] == "Rules" && !contains(out, parts[1]) {
			out = append(out, parts[1])
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// engines returns the engines that ran rule, in table order (WF, the
// peers, the natives).
func engines(rs *results, rule string) []string {
	var out []string
	for _, e := range append(append([]string{"wf"}, peers...), append(natives, structBase)...) {
		if rs.get("Rules/"+rule+"/"+e) != nil {
			out = append(out, e)
		}
	}
	return out
}

// fairNative returns the benchmark name of a rule's fair baseline: the
// native engine over the dynamic data with the lowest median cost.
func fairNative(rs *results, rule string) string {
	best, bestT := "", 0.0
	for _, e := range natives {
		name := "Rules/" + rule + "/" + e
		if t := rs.med(name, cpu); t > 0 && (best == "" || t < bestT) {
			best, bestT = name, t
		}
	}
	return best
}

func renderRules(b *strings.Builder, rs *results) {
	if len(rules(rs)) == 0 {
		return
	}
	b.WriteString("| rule | engine | CPU ns/op | spread | wall ns/op | B/op | allocs/op | × fair native | × native-struct |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, rule := range rules(rs) {
		base, sbase := fairNative(rs, rule), "Rules/"+rule+"/"+structBase
		for _, e := range engines(rs, rule) {
			name := "Rules/" + rule + "/" + e
			label := e
			switch {
			case e == "wf":
				label = "**wf**"
			case name == base:
				label = e + " (fair baseline)"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %.0f | %.0f | %s | %s |\n", rule, label,
				num(rs.med(name, cpu)), spread(rs.get(name).values(cpu)), num(rs.med(name, "ns/op")),
				rs.med(name, "B/op"), rs.med(name, "allocs/op"), ratioCell(rs.ratios(name, base, cpu), true),
				ratioCell(rs.ratios(name, sbase, cpu), false))
		}
	}
	b.WriteString("\nThe fair baseline of a rule is the faster of the native Go versions over the same dynamic data " +
		"the engines read (a `map[string]any`): native-map, and for R1-value native-set. native-struct reads a typed " +
		"struct, the floor no dynamic engine can reach.\n\n")
}

func renderParse(b *strings.Builder, rs *results) {
	wf, gp := "ParseCheck/wf", "ParseCheck/go-parser"
	if rs.get(wf) == nil || rs.get(gp) == nil {
		return
	}
	b.WriteString("| parse | ns/op | spread | MB/s | B/op | allocs/op |\n|---|---:|---:|---:|---:|---:|\n")
	for _, n := range []string{wf, gp} {
		fmt.Fprintf(b, "| %s | %s | %s | %.2f | %.0f | %.0f |\n", n, num(rs.med(n, "ns/op")),
			spread(rs.get(n).values("ns/op")), rs.med(n, "MB/s"), rs.med(n, "B/op"), rs.med(n, "allocs/op"))
	}
	fmt.Fprintf(b, "\nWF parse plus check: %s slower per byte than go/parser.\n\n", ratioCell(rs.ratios(wf, gp, "ns/op"), true))
}

func renderRun(b *strings.Builder, rs *results) {
	wf, raw := "RecordedRun/wf", "RecordedRun/raw-sqlite"
	if rs.get(wf) == nil || rs.get(raw) == nil {
		return
	}
	b.WriteString("| recorded run | ns/op | spread | runs/s | B/op | allocs/op |\n|---|---:|---:|---:|---:|---:|\n")
	for _, n := range []string{wf, raw} {
		t := rs.med(n, "ns/op")
		fmt.Fprintf(b, "| %s | %s | %s | %.0f | %.0f | %.0f |\n", n, num(t), spread(rs.get(n).values("ns/op")),
			1e9/t, rs.med(n, "B/op"), rs.med(n, "allocs/op"))
	}
	fmt.Fprintf(b, "\nA recorded WF run goes at %s of the rate of the raw floor (its rows written by prepared statements in the store's commits).\n\n",
		fraction(rs.ratios(raw, wf, "ns/op")))
}

// renderTargets checks the targets against the medians.
func renderTargets(b *strings.Builder, rs *results) {
	b.WriteString("| target | measured | met |\n|---|---|---|\n")
	row := func(target, measured string, ok bool) {
		fmt.Fprintf(b, "| %s | %s | %s |\n", target, measured, yesNo(ok))
	}
	for _, rule := range rules(rs) {
		name := "Rules/" + rule + "/wf"
		wf := rs.med(name, cpu)
		fastest, fastestT := "", 0.0
		for _, p := range peers {
			if t := rs.med("Rules/"+rule+"/"+p, cpu); t > 0 && (fastest == "" || t < fastestT) {
				fastest, fastestT = p, t
			}
		}
		row(rule+": WF faster than every peer", fmt.Sprintf("wf %s ns, fastest peer %s %s ns", num(wf), fastest,
			num(fastestT)), wf < fastestT)
		base := fairNative(rs, rule)
		x := rs.ratios(name, base, cpu)
		row(rule+": WF within 2× of the fair native baseline", ratioCell(x, true)+" of "+strings.TrimPrefix(base,
			"Rules/"+rule+"/"), len(x) > 0 && median(x) <= 2)
		a := rs.med(name, "allocs/op")
		row(rule+": no allocation per evaluation", fmt.Sprintf("%.0f allocs/op", a), a == 0)
	}
	if x := rs.ratios("ParseCheck/wf", "ParseCheck/go-parser", "ns/op"); len(x) > 0 {
		row("parse plus check within 4× of go/parser per byte", ratioCell(x, true), median(x) <= 4)
	}
	if x := rs.ratios("RecordedRun/raw-sqlite", "RecordedRun/wf", "ns/op"); len(x) > 0 {
		row("recorded run at ≥ 0.5 of the raw floor's rate", fraction(x), median(x) >= 0.5)
	}
	listTargets(rs, row)
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**no**"
}

// num prints a time with three significant digits or as a whole number.
func num(x float64) string {
	switch {
	case x == 0:
		return "–"
	case x < 10:
		return fmt.Sprintf("%.2f", x)
	case x < 100:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.0f", x)
}

// spread prints half the range of xs as a share of their median.
func spread(xs []float64) string {
	m := median(xs)
	if len(xs) < 2 || m == 0 {
		return "–"
	}
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	return fmt.Sprintf("±%.0f%%", 50*(hi-lo)/m)
}

// ratioCell prints the median of sorted per-round ratios, with their range
// when withRange is set: "1.23× (1.10–1.40)".
func ratioCell(xs []float64, withRange bool) string {
	if len(xs) == 0 {
		return "–"
	}
	if !withRange || len(xs) == 1 {
		return fmt.Sprintf("%.2f×", median(xs))
	}
	return fmt.Sprintf("%.2f× (%.2f–%.2f)", median(xs), xs[0], xs[len(xs)-1])
}

// fraction prints the median of sorted per-round rates with their range.
func fraction(xs []float64) string {
	if len(xs) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.3f (%.3f–%.3f)", median(xs), xs[0], xs[len(xs)-1])
}
