package main

import (
	"fmt"
	goruntime "runtime"
	"runtime/debug"
)

// VersionCmd prints the version.
type VersionCmd struct{}

// Run prints the version.
func (c *VersionCmd) Run(g *Globals) error {
	fmt.Fprintln(g.stdout, versionString())
	return nil
}

// versionString is what wf version and wf --version print.
func versionString() string {
	info, _ := debug.ReadBuildInfo()
	return formatVersion(version, info, goruntime.Version())
}

// formatVersion writes `wf VERSION (REVISION, TIME[, modified]) GO`: the
// version set at link time, else the module's (v1.2.3 for go install
// …@v1.2.3), and the VCS revision the binary was built from when the
// build recorded one.
func formatVersion(linked string, info *debug.BuildInfo, goVersion string) string {
	v := linked
	var rev, when string
	modified := false
	if info != nil {
		if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	out := "wf " + v
	if rev != "" {
		out += " (" + rev[:min(12, len(rev))]
		if when != "" {
			out += ", " + when
		}
		if modified {
			out += ", modified"
		}
		out += ")"
	}
	return out + " " + goVersion
}
