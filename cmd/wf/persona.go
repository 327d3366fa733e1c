package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/wf-lang/wf/internal/readfile"
	"github.com/wf-lang/wf/lang"
	"github.com/wf-lang/wf/runtime/store"
	"github.com/wf-lang/wf/stdlib/persona"
)

// PersonaCmd is `wf persona …`: the local backend's objects.
type PersonaCmd struct {
	Load PersonaLoadCmd `cmd:"" help:"Load Persona objects (JSON:API documents or webhook events) into the local backend."`
	Ls   PersonaLsCmd   `cmd:"" help:"List the local objects of a type."`
	Show PersonaShowCmd `cmd:"" help:"Show one local object."`
}

// PersonaLoadCmd is `wf persona load FILE…`.
type PersonaLoadCmd struct {
	Files []string `arg:"" sep:"none" predictor:"json-files" help:"JSON files: a JSON:API document (data and included), a resource, or a Persona webhook event."`
}

// Run loads fixtures.
func (c *PersonaLoadCmd) Run(g *Globals) (err error) {
	eng, err := openStoreOnly(g)
	if err != nil {
		return fail(exitUsage, "wf persona: %v", err)
	}
	defer closeEngine(eng, "wf persona load", &err)
	for _, f := range c.Files {
		data, err := readfile.Open(f)
		if err != nil {
			return fail(exitUsage, "wf persona load: %v", err)
		}
		n, err := eng.LoadPersona(context.Background(), data)
		data.Close()
		if err != nil {
			return fail(exitFailed, "wf persona load: %s: %v", f, err)
		}
		fmt.Fprintf(g.stdout, "loaded %d %s from %s\n", n, plural(n, "object"), f)
	}
	return nil
}

// PersonaLsCmd is `wf persona ls TYPE`.
type PersonaLsCmd struct {
	Type string `arg:"" predictor:"persona-type" help:"inquiry, account, case, report, verification, transaction or document."`
}

// Run lists objects.
func (c *PersonaLsCmd) Run(g *Globals) error {
	eng, err := openStoreOnly(g)
	if err != nil {
		return fail(exitUsage, "wf persona: %v", err)
	}
	defer eng.Close()
	objs, err := eng.Store.ListObjects(context.Background(), c.Type)
	if err != nil {
		return err
	}
	if len(objs) == 0 {
		if err := knownKind("ls", c.Type); err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "no %s objects\n", c.Type)
		return nil
	}
	sort.Slice(objs, func(i, j int) bool { return fmt.Sprint(objs[i]["id"]) < fmt.Sprint(objs[j]["id"]) })
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tTAGS")
	for _, o := range objs {
		fmt.Fprintf(tw, "%v\t%v\t%v\n", o["id"], orDash(o["status"]), orDash(o["tags"]))
	}
	return tw.Flush()
}

// knownKind refuses a type that is not a kind of Persona object, naming
// the kinds (a type fixtures loaded objects of is listed before this is
// asked).
func knownKind(cmd, kind string) error {
	kinds := persona.Kinds()
	if slices.Contains(kinds, kind) {
		return nil
	}
	msg := fmt.Sprintf("wf persona %s: unknown type %q", cmd, kind)
	if s := lang.Suggest(kind, kinds); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	return fail(exitUsage, "%s; the types are %s", msg, strings.Join(kinds, ", "))
}

func orDash(v any) any {
	if v == nil {
		return "-"
	}
	return v
}

// PersonaShowCmd is `wf persona show TYPE ID`.
type PersonaShowCmd struct {
	Type string `arg:"" predictor:"persona-type" help:"inquiry, account, case, report, verification, transaction or document."`
	ID   string `arg:"" help:"The object's id."`
}

// Run shows an object.
func (c *PersonaShowCmd) Run(g *Globals) error {
	eng, err := openStoreOnly(g)
	if err != nil {
		return fail(exitUsage, "wf persona: %v", err)
	}
	defer eng.Close()
	obj, err := eng.Store.GetObject(context.Background(), c.Type, c.ID)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			if err := knownKind("show", c.Type); err != nil {
				return err
			}
			return fail(exitFailed, "wf persona show: no %s %s", c.Type, c.ID)
		}
		return fail(exitFailed, "wf persona show: %v", err)
	}
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(obj)
}
