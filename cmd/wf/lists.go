package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/wf-lang/wf/internal/readfile"
	"github.com/wf-lang/wf/stdlib/lists"
)

// ListsCmd is `wf lists …`.
type ListsCmd struct {
	Ls     ListsLsCmd     `cmd:"" default:"withargs" help:"List the Lists."`
	Create ListsCreateCmd `cmd:"" help:"Create a List."`
	Add    ListsAddCmd    `cmd:"" help:"Add items to a List."`
	Remove ListsRemoveCmd `cmd:"" help:"Remove items from a List."`
	Import ListsImportCmd `cmd:"" help:"Import items from a CSV file (Persona's columns)."`
	Show   ListsShowCmd   `cmd:"" help:"Show a List's items."`
	Delete ListsDeleteCmd `cmd:"" help:"Delete a List and its items."`
}

func withLists(g *Globals, f func(ctx context.Context, svc *lists.Service) error) (err error) {
	eng, err := openStoreOnly(g)
	if err != nil {
		return fail(exitUsage, "wf lists: %v", err)
	}
	defer closeEngine(eng, "wf lists", &err)
	if err := f(context.Background(), eng.Lists); err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			return err
		}
		return fail(exitFailed, "wf lists: %v", err)
	}
	return nil
}

// ListsLsCmd is `wf lists ls`.
type ListsLsCmd struct{}

// Run lists the Lists.
func (c *ListsLsCmd) Run(g *Globals) error {
	return withLists(g, func(ctx context.Context, svc *lists.Service) error {
		all, err := svc.Lists(ctx)
		if err != nil {
			return err
		}
		if len(all) == 0 {
			fmt.Fprintln(g.stdout, "no lists (create one with: wf lists create NAME --kind ip_address)")
			return nil
		}
		tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tKIND\tITEMS")
		for _, l := range all {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", l.Name, l.Kind, l.Count)
		}
		return tw.Flush()
	})
}

// ListsCreateCmd is `wf lists create NAME --kind KIND`.
type ListsCreateCmd struct {
	Name string `arg:"" help:"The List's name, such as blocked-ips."`
	Kind string `required:"" help:"ip_address, email_address, name, phone_number, country, government_id_number, browser_fingerprint, device_fingerprint, geolocation or string."`
}

// Run creates a List.
func (c *ListsCreateCmd) Run(g *Globals) error {
	kind, err := lists.ParseKind(c.Kind)
	if err != nil {
		return fail(exitUsage, "wf lists create: %v", err)
	}
	return withLists(g, func(ctx context.Context, svc *lists.Service) error {
		if _, err := svc.Create(ctx, c.Name, kind); err != nil {
			if errors.Is(err, lists.ErrExists) {
				return fail(exitFailed, "wf lists create: list %s already exists", c.Name)
			}
			return err
		}
		fmt.Fprintf(g.stdout, "created list %s (%s)\n", c.Name, kind)
		return nil
	})
}

// ListsAddCmd is `wf lists add NAME VALUE…`.
type ListsAddCmd struct {
	Name   string            `arg:"" predictor:"list" help:"The List."`
	Values []string          `arg:"" sep:"none" help:"Values to add (an IP or CIDR range, an email or @domain, a name…)."`
	Attr   map[string]string `help:"Item attributes, such as match_type=domain or id_class=pp." placeholder:"KEY=VALUE"`
}

// Run adds items.
func (c *ListsAddCmd) Run(g *Globals) error {
	return withLists(g, func(ctx context.Context, svc *lists.Service) error {
		for _, v := range c.Values {
			it, err := svc.Add(ctx, c.Name, v, c.Attr)
			if err != nil {
				return fmt.Errorf("%s: %w", v, err)
			}
			fmt.Fprintf(g.stdout, "added %s to %s\n", it.Value, c.Name)
		}
		return nil
	})
}

// ListsRemoveCmd is `wf lists remove NAME VALUE…`.
type ListsRemoveCmd struct {
	Name   string   `arg:"" predictor:"list" help:"The List."`
	Values []string `arg:"" sep:"none" help:"Values to remove."`
}

// Run removes items.
func (c *ListsRemoveCmd) Run(g *Globals) error {
	return withLists(g, func(ctx context.Context, svc *lists.Service) error {
		missing := 0
		for _, v := range c.Values {
			ok, err := svc.Remove(ctx, c.Name, v)
			if err != nil {
				return fmt.Errorf("%s: %w", v, err)
			}
			if ok {
				fmt.Fprintf(g.stdout, "removed %s from %s\n", v, c.Name)
			} else {
				missing++
				fmt.Fprintf(g.stderr, "%s is not on %s\n", v, c.Name)
			}
		}
		if missing > 0 {
			return &exitError{code: exitFailed}
		}
		return nil
	})
}

// ListsImportCmd is `wf lists import NAME FILE.csv`.
type ListsImportCmd struct {
	Name string `arg:"" predictor:"list" help:"The List (created first with wf lists create)."`
	File string `arg:"" predictor:"csv-files" help:"A CSV file with Persona's columns for the List's kind (a header row is optional)."`
}

// Run imports a CSV file.
func (c *ListsImportCmd) Run(g *Globals) error {
	return withLists(g, func(ctx context.Context, svc *lists.Service) error {
		f, err := readfile.Open(c.File)
		if err != nil {
			return err
		}
		defer f.Close()
		n, err := svc.Import(ctx, c.Name, f)
		if err != nil {
			var ce *lists.CSVError
			if errors.As(err, &ce) {
				return fail(exitFailed, "wf lists import: %s: %v\nnothing was imported", c.File, err)
			}
			return err
		}
		// Index the List now, so that the next run maps its index file
		// instead of reading every item (lists.MinIndexFile).
		if _, err := svc.Handle(ctx, c.Name); err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "imported %d %s into %s\n", n, plural(n, "item"), c.Name)
		return nil
	})
}

// ListsShowCmd is `wf lists show NAME`.
type ListsShowCmd struct {
	Name string `arg:"" predictor:"list" help:"The List."`
}

// Run shows a List's items.
func (c *ListsShowCmd) Run(g *Globals) error {
	return withLists(g, func(ctx context.Context, svc *lists.Service) error {
		l, err := svc.Store().GetList(ctx, c.Name)
		if err != nil {
			if errors.Is(err, lists.ErrNotFound) {
				if _, herr := svc.Handle(ctx, c.Name); herr != nil {
					return herr
				}
			}
			return err
		}
		items, err := svc.Store().Items(ctx, c.Name)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "%s (%s, %d %s)\n", l.Name, l.Kind, len(items), plural(len(items), "item"))
		for _, it := range items {
			var attrs []string
			for k, v := range it.Data {
				attrs = append(attrs, k+"="+v)
			}
			sort.Strings(attrs)
			extra := ""
			if len(attrs) > 0 {
				extra = "  " + strings.Join(attrs, " ")
			}
			fmt.Fprintf(g.stdout, "  %s%s\n", it.Value, extra)
		}
		return nil
	})
}

// ListsDeleteCmd is `wf lists delete NAME`.
type ListsDeleteCmd struct {
	Name string `arg:"" predictor:"list" help:"The List."`
}

// Run deletes a List.
func (c *ListsDeleteCmd) Run(g *Globals) error {
	return withLists(g, func(ctx context.Context, svc *lists.Service) error {
		if err := svc.Delete(ctx, c.Name); err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "deleted list %s\n", c.Name)
		return nil
	})
}
