package lang

import "path"

// EventMatches reports whether an event name matches a trigger pattern. A
// pattern is a name or a glob: `*` matches any run of characters other than
// `/`, `?` one character, `[…]` a class (as in path.Match); the pattern `*`
// alone matches every event.
func EventMatches(pattern, name string) bool {
	if pattern == "*" || pattern == name {
		return true
	}
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// ValidEventPattern reports whether a pattern is well formed.
func ValidEventPattern(pattern string) error {
	_, err := path.Match(pattern, "")
	return err
}

// EventObjectType returns the Persona object type an event carries, such as
// "inquiry" for "inquiry.completed" and "report/watchlist" for
// "report/watchlist.matched".
func EventObjectType(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			return name[:i]
		}
	}
	return name
}
