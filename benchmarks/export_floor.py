"""The floor for the briefing-pack timing: start kaleido the same way and write N trivial charts in each format."""

from __future__ import annotations

import argparse
from pathlib import Path

import kaleido
import plotly.graph_objects as go


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--charts", type=int, default=8)
    p.add_argument("--formats", default="png,svg,pdf")
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    kaleido.start_sync_server(mathjax=False, silence_warnings=True)  # as dashboard.export does
    fig = go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2]))
    for i in range(a.charts):
        for fmt in a.formats.split(","):
            # the export's size and scale, so only the figures' own content differs
            fig.write_image(a.out / f"{i:02d}.{fmt}", format=fmt, width=1280, height=720, scale=1.5)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
