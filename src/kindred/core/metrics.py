"""Prometheus metrics of this process: requests, latency, queue depth, tasks, provider errors.

Metrics are process-wide (one registry per process, as Prometheus expects); other domains
increment `PROVIDER_ERRORS` and `TASK_OUTCOMES` directly. Routes are labelled by their
template (`/api/contacts/{contact_id}`), never the raw path, so cardinality stays bounded.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "kindred_http_requests_total",
    "HTTP requests by method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "kindred_http_request_duration_seconds",
    "HTTP request latency by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge(
    "kindred_jobs",
    "Background jobs by state (from the jobs table at scrape time).",
    ["state"],
    registry=REGISTRY,
)
TASK_OUTCOMES = Counter(
    "kindred_task_runs_total",
    "Background task runs by task name and outcome (succeeded, failed).",
    ["task", "outcome"],
    registry=REGISTRY,
)
PROVIDER_ERRORS = Counter(
    "kindred_provider_errors_total",
    "Errors returned by external providers, by provider and operation.",
    ["provider", "operation"],
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "kindred_rate_limited_total",
    "Requests refused by a rate limit, by bucket.",
    ["bucket"],
    registry=REGISTRY,
)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(method, route).observe(seconds)


def set_queue_depth(stats: dict[str, int]) -> None:
    for state, count in stats.items():
        QUEUE_DEPTH.labels(state).set(count)


def exposition() -> bytes:
    return generate_latest(REGISTRY)
