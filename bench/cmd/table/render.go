package main

import (
	"fmt"
	"strings"
)

// The engines the rule targets compare WF with, and the baselines.
var (
	peers      = []string{"expr", "cel-go", "goja", "starlark"}
	baseline   = "native-map"
	structBase = "native-struct"
)

// render writes the machine line and the tables in Markdown.
func render(rs *results, m machine) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run of %s: %s, %d cores, %s; `-count %d -benchtime %s`, each cell the median of the runs.\n",
		m.date, m.cpu, m.cores, m.goVersion, m.count, m.benchtime)
	fmt.Fprintf(&b, "Load average (1, 5, 15 min) before: %s, after: %s. The machine is shared: with a load above its "+
		"%d cores the absolute times are inflated; read the ratios, which come from the same run.\n\n",
		m.loadBefore, m.loadAfter, m.cores)
	renderRules(&b, rs)
	renderParse(&b, rs)
	renderRun(&b, rs)
	renderTargets(&b, rs)
	return b.String()
}

// rules returns the rule names in the order they ran.
func rules(rs *results) []string {
	var out []string
	for _, name := range rs.order {
		parts := strings.Split(name, "/")
		if len(parts) == 3 && parts[0] == "Rules" && (len(out) == 0 || out[len(out)-1] != parts[1]) {
			out = append(out, parts[1])
		}
	}
	return out
}

// engines returns the engines that ran rule, in order.
func engines(rs *results, rule string) []string {
	var out []string
	for _, name := range rs.order {
		if e, ok := strings.CutPrefix(name, "Rules/"+rule+"/"); ok {
			out = append(out, e)
		}
	}
	return out
}

func ns(rs *results, name string) float64 {
	if r := rs.get(name); r != nil {
		return median(r.ns)
	}
	return 0
}

// cost is what ratios are taken of: the median CPU time per op when the
// benchmark reports it, else the median wall time.
func cost(rs *results, name string) float64 {
	r := rs.get(name)
	switch {
	case r == nil:
		return 0
	case len(r.cpu) > 0:
		return median(r.cpu)
	}
	return median(r.ns)
}

func renderRules(b *strings.Builder, rs *results) {
	b.WriteString("| rule | engine | ns/op | CPU ns/op | B/op | allocs/op | × native-map | × native-struct |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|\n")
	for _, rule := range rules(rs) {
		base, sbase := cost(rs, "Rules/"+rule+"/"+baseline), cost(rs, "Rules/"+rule+"/"+structBase)
		for _, e := range engines(rs, rule) {
			name := "Rules/" + rule + "/" + e
			r, t := rs.get(name), cost(rs, name)
			label := e
			if e == "wf" {
				label = "**wf**"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %.0f | %.0f | %s | %s |\n", rule, label, num(median(r.ns)),
				cell(r.cpu), median(r.bytes), median(r.allocs), ratio(t, base), ratio(t, sbase))
		}
	}
	b.WriteString("\nns/op is wall time; CPU ns/op is the benchmark thread's CPU time (it leaves out the time the " +
		"thread waited for a core). The ratios and the rule targets below use CPU time.\n\n")
}

func renderParse(b *strings.Builder, rs *results) {
	wf, gp := rs.get("ParseCheck/wf"), rs.get("ParseCheck/go-parser")
	if wf == nil || gp == nil {
		return
	}
	b.WriteString("| parse | ns/op | MB/s | B/op | allocs/op |\n|---|---:|---:|---:|---:|\n")
	for _, r := range []*result{wf, gp} {
		fmt.Fprintf(b, "| %s | %s | %.2f | %.0f | %.0f |\n", r.name, num(median(r.ns)), median(r.mbPerS),
			median(r.bytes), median(r.allocs))
	}
	fmt.Fprintf(b, "\nWF parse plus check: %s slower per byte than go/parser.\n\n",
		ratio(median(gp.mbPerS), median(wf.mbPerS)))
}

func renderRun(b *strings.Builder, rs *results) {
	wf, raw := rs.get("RecordedRun/wf"), rs.get("RecordedRun/raw-sqlite")
	if wf == nil || raw == nil {
		return
	}
	b.WriteString("| recorded run | ns/op | runs/s | B/op | allocs/op |\n|---|---:|---:|---:|---:|\n")
	for _, r := range []*result{wf, raw} {
		fmt.Fprintf(b, "| %s | %s | %.0f | %.0f | %.0f |\n", r.name, num(median(r.ns)), 1e9/median(r.ns),
			median(r.bytes), median(r.allocs))
	}
	fmt.Fprintf(b, "\nA recorded WF run goes at %.3f of the rate of raw inserts of its rows.\n\n",
		median(raw.ns)/median(wf.ns))
}

// renderTargets checks the targets against the medians.
func renderTargets(b *strings.Builder, rs *results) {
	b.WriteString("| target | measured | met |\n|---|---|---|\n")
	row := func(target, measured string, ok bool) {
		fmt.Fprintf(b, "| %s | %s | %s |\n", target, measured, yesNo(ok))
	}
	for _, rule := range rules(rs) {
		wf := cost(rs, "Rules/"+rule+"/wf")
		fastest, fastestT := "", 0.0
		for _, p := range peers {
			if t := cost(rs, "Rules/"+rule+"/"+p); t > 0 && (fastest == "" || t < fastestT) {
				fastest, fastestT = p, t
			}
		}
		row(rule+": WF faster than expr, cel-go, goja, starlark",
			fmt.Sprintf("wf %s ns, fastest peer %s %s ns", num(wf), fastest, num(fastestT)), wf < fastestT)
		base := cost(rs, "Rules/"+rule+"/"+baseline)
		row(rule+": WF within 2× of native Go (map)", ratio(wf, base), wf <= 2*base)
		if r := rs.get("Rules/" + rule + "/wf"); strings.HasPrefix(rule, "R1-list") && r != nil {
			a := median(r.allocs)
			row(rule+": no allocation per evaluation", fmt.Sprintf("%.0f allocs/op", a), a == 0)
		}
	}
	if wf, gp := rs.get("ParseCheck/wf"), rs.get("ParseCheck/go-parser"); wf != nil && gp != nil {
		x := median(gp.mbPerS) / median(wf.mbPerS)
		row("parse plus check within 8× of go/parser per byte", fmt.Sprintf("%.1f×", x), x <= 8)
	}
	if wf, raw := rs.get("RecordedRun/wf"), rs.get("RecordedRun/raw-sqlite"); wf != nil && raw != nil {
		x := median(raw.ns) / median(wf.ns)
		row("recorded run at ≥ 0.5 of the raw insert rate", fmt.Sprintf("%.3f", x), x >= 0.5)
	}
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
	case x < 10:
		return fmt.Sprintf("%.2f", x)
	case x < 100:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.0f", x)
}

// cell prints the median of xs, or "–" for none.
func cell(xs []float64) string {
	if len(xs) == 0 {
		return "–"
	}
	return num(median(xs))
}

// ratio prints a/b as "1.23×", or "–" without a baseline.
func ratio(a, b float64) string {
	if a == 0 || b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}
