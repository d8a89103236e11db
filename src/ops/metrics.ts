import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one process. A fresh registry per app so tests can run several apps. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'joinery_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'joinery_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'joinery_http_request_duration_seconds',
      help: 'HTTP request duration by method and route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    jobsFinished: new Counter({
      name: 'joinery_jobs_finished_total',
      help: 'Jobs finished by queue and outcome (completed, retry, failed)',
      labelNames: ['queue', 'outcome'] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'joinery_job_duration_seconds',
      help: 'Job handler duration by queue',
      labelNames: ['queue'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
    eventsDelivered: new Counter({
      name: 'joinery_events_delivered_total',
      help: 'Outbox events delivered to the metrics subscriber, by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    gauge(name: string, help: string, labelNames: string[], collect: (g: Gauge) => Promise<void>): Gauge {
      return new Gauge({
        name,
        help,
        labelNames,
        registers: [registry],
        async collect() {
          await collect(this);
        },
      });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
