"""examples/prometheus/: the rules and the Grafana dashboard name only metrics watch exports,
and the dashboard is importable JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from hedgetui.metrics.exporter import MetricsExporter
from tests.alerts_views import hedge, view

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "prometheus"
NAME = re.compile(r"\bhedgetui_[a-z_]+\b")


def exported_names() -> set[str]:
    """Every sample name the exporter can write (families without samples included)."""
    exporter = MetricsExporter()
    exporter.update(view(hedge()), [])
    registry = CollectorRegistry(auto_describe=False)
    registry.register(exporter)
    text = generate_latest(registry).decode()
    names = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        if family.type == "counter":
            names.add(family.name + "_total")
    return names


def test_the_examples_name_only_exported_metrics() -> None:
    exported = exported_names()
    for path in sorted(EXAMPLES.iterdir()):
        used = set(NAME.findall(path.read_text()))
        assert used <= exported, f"{path.name}: {sorted(used - exported)} are not exported"


def test_the_grafana_dashboard_is_importable_json() -> None:
    dashboard = json.loads((EXAMPLES / "grafana-dashboard.json").read_text())
    assert dashboard["__inputs"][0]["pluginId"] == "prometheus"
    panels = dashboard["panels"]
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    exprs = " ".join(t["expr"] for p in panels for t in p["targets"])
    for wanted in (
        "hedgetui_hedge_liquidation_distance_ratio",
        "hedgetui_hedge_margin_buffer_ratio",
        "hedgetui_hedge_net_exposure_usd",
        "hedgetui_hedge_funding_apr_ratio",
        "hedgetui_feed_last_message_age_seconds",
        "hedgetui_alert_state",
        'up{job="hedgetui"}',
    ):
        assert wanted in exprs
