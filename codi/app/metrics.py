"""Prometheus metrics of the receiver and the workers, on a registry per instance.

`Metrics()` makes a fresh `CollectorRegistry` holding every codi metric, so
two apps (or tests) in one process never collide on the global registry. The
receiver serves its instance at `/metrics`; a worker makes its own and serves
it with `prometheus_client.start_http_server(port, registry=metrics.registry)`
(or pushes it with `push_to_gateway(..., registry=metrics.registry)`). Each
process fills only the metrics it owns: the receiver `deliveries`,
`queue_unavailable`, `jobs_enqueued` and `request_seconds`; the worker `github_api_calls`,
`job_seconds` and the local model's `llm_calls`, `llm_tokens` and `llm_seconds`.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from codi.pipeline.rank import ModelTelemetry

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    """Every codi metric, registered on `self.registry`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.deliveries = Counter(
            "codi_webhook_deliveries",
            "Webhook deliveries received, by GitHub event and what the receiver did with them.",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.queue_unavailable = Counter(
            "codi_webhook_queue_unavailable",
            "Deliveries answered 503 because Redis did not answer; GitHub does not redeliver them by itself "
            "(`codi redeliver` does).",
            ["event"],
            registry=self.registry,
        )
        self.jobs_enqueued = Counter(
            "codi_jobs_enqueued", "Jobs put on the arq queue, by function.", ["function"], registry=self.registry
        )
        self.request_seconds = Histogram(
            "codi_http_request_duration_seconds",
            "Time from request to response, by route.",
            ["path"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.github_api_calls = Counter(
            "codi_github_api_calls",
            "GitHub REST API calls made by workers, by HTTP status code.",
            ["status"],
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "codi_job_duration_seconds",
            "Time a worker spent on a job, by function and outcome.",
            ["function", "outcome"],
            buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0),
            registry=self.registry,
        )

        self.llm_calls = Counter(
            "codi_llm_calls",
            "Ranking calls to the local model, by model and whether its answer was used or fell back.",
            ["model", "outcome"],
            registry=self.registry,
        )
        self.llm_tokens = Counter(
            "codi_llm_tokens", "Tokens the local model read (prompt) and wrote (output).", ["model", "kind"],
            registry=self.registry,
        )  # fmt: skip
        self.llm_seconds = Histogram(
            "codi_llm_call_duration_seconds",
            "Time of one ranking call to the local model.",
            ["model"],
            buckets=(0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0),
            registry=self.registry,
        )

    def count_model_call(self, telemetry: ModelTelemetry) -> None:
        """One ranking call's telemetry: used or fallback, tokens, latency."""
        outcome = "used" if telemetry.fallback_reason is None else "fallback"
        self.llm_calls.labels(telemetry.model, outcome).inc()
        self.llm_tokens.labels(telemetry.model, "prompt").inc(telemetry.prompt_tokens)
        self.llm_tokens.labels(telemetry.model, "output").inc(telemetry.output_tokens)
        self.llm_seconds.labels(telemetry.model).observe(telemetry.latency_s)

    def render(self) -> bytes:
        """The registry in Prometheus text format (`CONTENT_TYPE`)."""
        return generate_latest(self.registry)
