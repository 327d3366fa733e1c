package queue

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A run job that failed is tried again within seconds, never later than maxRetryBackoff
// (River's default waits attempt⁴ seconds: 4 min 16 s after the fourth failure).
func TestRetryBackoffIsBounded(t *testing.T) {
	var got []time.Duration
	for attempt := 1; attempt <= 8; attempt++ {
		got = append(got, retryBackoff(attempt))
	}
	s := time.Second
	assert.Equal(t, []time.Duration{s, 2 * s, 4 * s, 8 * s, 16 * s, 30 * s, 30 * s, 30 * s}, got)
	assert.Equal(t, maxRetryBackoff, retryBackoff(runJobAttempts))
	assert.Equal(t, time.Second, retryBackoff(0))
	assert.GreaterOrEqual(t, time.Duration(runJobAttempts)*maxRetryBackoff, 8*time.Hour)
}
