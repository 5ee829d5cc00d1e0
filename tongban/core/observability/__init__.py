"""Observability: request ids and structured logs, Prometheus metrics, the health check."""
