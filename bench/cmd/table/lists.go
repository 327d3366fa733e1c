package main

import "strings"

// renderLists writes the Lists table: open, lookup, add and import at
// each size the Lists benchmark ran.
func renderLists(b *strings.Builder, rs *results) {}

// listTargets checks the Lists targets.
func listTargets(rs *results, row func(target, measured string, ok bool)) {}
