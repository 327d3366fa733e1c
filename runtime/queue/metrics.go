package queue

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wf-lang/wf/runtime/store/postgres"
)

// riverStats reads River's jobs table for the queue's metrics and counts what this
// instance's workers did.
type riverStats struct {
	pg      *postgres.Store
	jobs    *prometheus.Desc
	worked  *prometheus.CounterVec
	seconds prometheus.Histogram
}

func newRiverStats(pg *postgres.Store) *riverStats {
	return &riverStats{pg: pg,
		jobs: prometheus.NewDesc("wf_queue_jobs", "River jobs in the shared database, by kind (wf_run, wf_timer) and state.",
			[]string{"kind", "state"}, nil),
		worked: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wf_queue_jobs_worked_total",
			Help: "Run jobs this instance worked, by outcome (executed, held, nothing_to_do, error)."}, []string{"outcome"}),
		seconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "wf_queue_job_duration_seconds",
			Help: "Time this instance's workers spent on a run job.", Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10)}),
	}
}

func (s *riverStats) observe(outcome string, d time.Duration) {
	s.worked.WithLabelValues(outcome).Inc()
	s.seconds.Observe(d.Seconds())
}

func (s *riverStats) collectors() []prometheus.Collector {
	return []prometheus.Collector{s, s.worked, s.seconds}
}

// Describe implements prometheus.Collector for the jobs gauge.
func (s *riverStats) Describe(ch chan<- *prometheus.Desc) { ch <- s.jobs }

// Collect reads the jobs gauge: one query per scrape.
func (s *riverStats) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rows, err := s.pg.Pool().Query(ctx, `SELECT kind, state::text, COUNT(*) FROM river_job
		WHERE kind IN ('wf_run', 'wf_timer') GROUP BY kind, state`)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(s.jobs, err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var kind, state string
		var n int64
		if err := rows.Scan(&kind, &state, &n); err != nil {
			ch <- prometheus.NewInvalidMetric(s.jobs, err)
			return
		}
		ch <- prometheus.MustNewConstMetric(s.jobs, prometheus.GaugeValue, float64(n), kind, state)
	}
}

// pending counts the run jobs waiting or running and the timer jobs due, across instances.
func (s *riverStats) pending(ctx context.Context) (int, error) {
	var n int
	err := s.pg.Pool().QueryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE
		(kind = 'wf_run' AND state IN ('available', 'running', 'retryable', 'pending'))
		OR (kind = 'wf_timer' AND state IN ('available', 'running'))`).Scan(&n)
	return n, err
}
