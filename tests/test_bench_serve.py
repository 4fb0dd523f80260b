"""The serving benchmark's report renders from its saved JSON (as `make bench` reads it) with a verdict per target."""

import json

from benchmarks import serve


def _phase(views, cpu, p95=0.5, sessions=20, think=0.0):
    return {"sessions": sessions, "seconds": 30, "think_s": think, "views": views, "wall_s": 30, "p50_s": 0.2,
            "p95_s": p95, "errors": 0, "error_kinds": {}, "server_cpu_s": cpu, "client_cpu_s": 10}


def test_report_from_saved_json_has_every_target_and_verdict():
    res = {"views": {"floor": _phase(4000, 10), "app": _phase(800, 20), "ratio": 5.0},
           "replicas": {"1": _phase(700, 15), "2": _phase(1100, 25), "paced": _phase(100, 3, p95=0.4, think=3),
                        "ratio": 1100 / 700},
           "bytes": {"direct": {"map": 9e6}, "proxy": {"map": 2.7e6}, "ratio": {"map": 0.3}, "worst": 0.3},
           "validate": {"factor": 1000, "ours_s": 0.6, "frictionless_s": 15.0, "ratio": 25.0, "agree": True}}
    md = serve.markdown(json.loads(json.dumps(res)))
    rows = [line for line in md.splitlines() if line.startswith("| ")]

    def verdict(prefix):
        return next(r for r in rows if r.startswith(f"| {prefix}")).split("|")[-2].strip()

    assert verdict("server cost per page view") == "**not met**"  # 5.0x > 1.5x
    assert verdict("2 replicas vs 1") == "met"  # 1.57x, no errors
    assert verdict("p95 page time") == "met"
    assert verdict("first-visit bytes") == "met"
    assert verdict("validation at 1000x") == "met"
    assert "ms per view" in md
