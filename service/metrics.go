package service

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/runtime/store"
)

// metrics are the service's Prometheus metrics, served at GET /metrics.
type metrics struct {
	reg            *prometheus.Registry
	webhooks       *prometheus.CounterVec // by result: accepted, duplicate, rejected, bad_event, too_large
	requests       *prometheus.CounterVec // by route and status
	started        *prometheus.CounterVec // by workflow
	finished       *prometheus.CounterVec // by workflow and status
	filterErrors   *prometheus.CounterVec // by workflow
	stepSeconds    *prometheus.HistogramVec
	reloadFailures prometheus.Counter
	ticks          *prometheus.CounterVec // by workflow and whether late
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wf_webhooks_total",
			Help: "Persona webhooks received, by result (accepted, duplicate, rejected, bad_event, too_large)."}, []string{"result"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wf_http_requests_total",
			Help: "HTTP requests answered, by route and status."}, []string{"route", "status"}),
		started: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wf_runs_started_total",
			Help: "Runs started, by workflow."}, []string{"workflow"}),
		finished: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wf_runs_finished_total",
			Help: "Runs that ended, by workflow and status (completed, failed, cancelled)."}, []string{"workflow", "status"}),
		filterErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wf_event_filter_errors_total",
			Help: "Events whose where filter failed (the workflow did not start), by workflow."}, []string{"workflow"}),
		stepSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "wf_step_duration_seconds",
			Help: "Time steps took, retries included, by action.", Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10)},
			[]string{"action"}),
		reloadFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "wf_reload_failures_total",
			Help: "Edits of the workflow files refused because they had errors."}),
		ticks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wf_schedule_ticks_total",
			Help: "Schedule ticks fired, by workflow and lateness."}, []string{"workflow", "late"}),
	}
	m.reg.MustRegister(m.webhooks, m.requests, m.started, m.finished, m.filterErrors, m.stepSeconds,
		m.reloadFailures, m.ticks, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// register adds the gauges read from the service when scraped.
func (m *metrics) register(s *Service) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "wf_queue_depth",
		Help: "Runs queued in memory or executing."}, func() float64 { return float64(s.queue.Depth()) }))
	m.reg.MustRegister(s.queue.Collectors()...)
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "wf_heartbeat_failures_total",
		Help: "Heartbeats of this instance the store refused."}, func() float64 { return float64(s.eng.Liveness().Failures) }))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "wf_heartbeat_age_seconds",
		Help: "Seconds since the store last took a heartbeat of this instance."},
		func() float64 { return s.eng.Clock().Now().Sub(s.eng.Liveness().LastBeat).Seconds() }))
	for _, status := range []string{store.StatusQueued, store.StatusRunning, store.StatusParked} {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "wf_runs",
			Help: "Runs by status, read from the store.", ConstLabels: prometheus.Labels{"status": status}},
			func() float64 { return float64(s.countRuns(status)) }))
	}
}

// countRuns reads how many runs have a status, briefly cached so that one
// scrape costs one query.
func (s *Service) countRuns(status string) int64 {
	s.countMu.Lock()
	defer s.countMu.Unlock()
	if time.Since(s.countAt) > time.Second {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if c, err := s.eng.Store.CountByStatus(ctx); err == nil {
			s.counts, s.countAt = c, time.Now()
		}
	}
	return s.counts[status]
}

// observe counts a run's execution.
func (m *metrics) observe(rec *runtime.Record) {
	if store.Ended(rec.Status) {
		m.finished.WithLabelValues(rec.Workflow, rec.Status).Inc()
	}
	for _, st := range rec.Steps {
		if !rec.Performed[st.Key] || st.FinishedAt == nil || st.Name == "wait" || st.Name == "wait event" {
			continue
		}
		m.stepSeconds.WithLabelValues(st.Name).Observe(st.FinishedAt.Sub(st.StartedAt).Seconds())
	}
}
