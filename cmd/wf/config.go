package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/alecthomas/kong"

	"github.com/wf-lang/wf/internal/readfile"
)

// configResolver reads the --config (or WF_CONFIG) JSON file, if any, as
// settings keyed by flag name. Precedence, highest first: a flag on the
// command line, its environment variable, the config file, the default.
// (kong applies environment variables like defaults, before resolvers, so
// this resolver steps aside for a flag whose variable is set.)
func configResolver(args []string) (kong.Resolver, error) {
	path := os.Getenv("WF_CONFIG")
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(a, "--config="); ok {
			path = v
		} else if a == "--config" && i+1 < len(args) {
			path = args[i+1]
		}
	}
	if path == "" {
		return kong.ResolverFunc(func(*kong.Context, *kong.Path, *kong.Flag) (any, error) { return nil, nil }), nil
	}
	f, err := readfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--config: %w", err)
	}
	defer f.Close()
	file, err := kong.JSON(f)
	if err != nil {
		return nil, fmt.Errorf("--config %s: %w", path, err)
	}
	return kong.ResolverFunc(func(ctx *kong.Context, parent *kong.Path, flag *kong.Flag) (any, error) {
		for _, env := range flag.Envs {
			if _, set := os.LookupEnv(env); set {
				return nil, nil
			}
		}
		return file.Resolve(ctx, parent, flag)
	}), nil
}
