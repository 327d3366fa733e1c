package lang_test

// These tests check or complete time zones. The zone database comes with the
// program, as cmd/wf imports it (a library leaves that to main packages), so
// the test binary imports it too and does not depend on the machine's.
import _ "time/tzdata"
