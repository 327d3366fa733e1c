// Package storetest is the store conformance suite: the same tests hold every implementation
// of store.Store to the same semantics. An implementation's tests call Run with a function
// that opens a new, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, opts store.Options) store.Store { … })
//	}
package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wf-lang/wf/runtime/store"
)

// Opener opens a new, empty store with opts (its clock and staleness), closed when the test
// ends.
type Opener func(t *testing.T, opts store.Options) store.Store

// Run runs every conformance test, each on a store of its own.
func Run(t *testing.T, open Opener) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

var tests = []struct {
	name string
	fn   func(*testing.T, Opener)
}{
	{"VersionRoundTripAndIdempotence", testVersionRoundTripAndIdempotence},
	{"RunRoundTrip", testRunRoundTrip},
	{"SaveStepUpsertKeepsStartAndArgs", testSaveStepUpsertKeepsStartAndArgs},
	{"JournalReturnsEveryStep", testJournalReturnsEveryStep},
	{"RunErrors", testRunErrors},
	{"GetRunByPrefix", testGetRunByPrefix},
	{"ListRunsOrderAndFilters", testListRunsOrderAndFilters},
	{"ListRunsKeysetPages", testListRunsKeysetPages},
	{"ConcurrentSaveStep", testConcurrentSaveStep},
	{"CanceledContext", testCanceledContext},
	{"Logs", testLogs},
	{"CreateRunWith", testCreateRunWith},
	{"StepsSavedTogether", testStepsSavedTogether},

	{"ClaimRun", testClaimRun},
	{"ConcurrentClaimsOneWinner", testConcurrentClaimsOneWinner},
	{"ParkAndWakeOnTime", testParkAndWakeOnTime},
	{"ParkRequeuesWhenAWaitAlreadyHolds", testParkRequeuesWhenAWaitAlreadyHolds},
	{"ParkRaceWithEvents", testParkRaceWithEvents},
	{"ParkRaceWithChildEnd", testParkRaceWithChildEnd},
	{"FinishWakesTheCaller", testFinishWakesTheCaller},
	{"InterruptedRecoverAndRequeue", testInterruptedRecoverAndRequeue},
	{"ReleaseRun", testReleaseRun},
	{"CancelRun", testCancelRun},
	{"Instances", testInstances},

	{"RecordEventDeduplicates", testRecordEventDeduplicates},
	{"EventStatus", testEventStatus},
	{"AcceptEvent", testAcceptEvent},
	{"AcceptEventWakesGlobWaits", testAcceptEventWakesGlobWaits},
	{"EventsSince", testEventsSince},
	{"Scheduled", testScheduled},
	{"FireTickOnce", testFireTickOnce},
	{"ListEventsNewestFirstByKeyset", testListEventsNewestFirstByKeyset},
	{"DeliveriesOf", testDeliveriesOf},
	{"RejectionsAreCapped", testRejectionsAreCapped},
	{"VersionsNewestFirst", testVersionsNewestFirst},

	{"ListLifecycle", testListLifecycle},
	{"ListItemsAddRemove", testListItemsAddRemove},
	{"ListItemsErrors", testListItemsErrors},
	{"RecreatedListHasNewVersionAndIDs", testRecreatedListHasNewVersionAndIDs},
	{"ListChanges", testListChanges},
	{"ListImportChunks", testListImportChunks},
	{"ListImportAtomic", testListImportAtomic},
	{"BrowseListItems", testBrowseListItems},
	{"LargeListImport", testLargeListImport},

	{"ObjectRoundTrip", testObjectRoundTrip},
	{"PutObjectReplacesAndKeepsCreation", testPutObjectReplacesAndKeepsCreation},
	{"ObjectsIfNewer", testObjectsIfNewer},
	{"Tokens", testTokens},
}

// t0 is the fake clock's start.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// start opens a store on a fake clock at t0.
func start(t *testing.T, open Opener) (store.Store, *Clock) {
	t.Helper()
	clock := &Clock{t: t0}
	s := open(t, store.Options{Now: clock.Now, StaleAfter: 15 * time.Second})
	require.NotNil(t, s)
	return s, clock
}
