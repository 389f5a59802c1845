"""Prometheus metrics from ``hedgetui watch --metrics HOST:PORT`` (docs/metrics.md).

``listen`` parses the address (no third-party import); ``families`` turns one evaluation's
view into metric families; ``exporter`` serves the last of them over HTTP. The two latter
import ``prometheus_client``: only ``watch --metrics`` imports them.
"""
