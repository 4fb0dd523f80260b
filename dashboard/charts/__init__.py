"""Pure Plotly figure builders (`make_<thing>_figure(df, ...) -> go.Figure`), one module per page, no Streamlit, no I/O.

This module holds the look they share: a colour-blind-safe palette, legible type, a title that states the
finding, a source line and "as of" date inside the figure (so an exported image cites itself), and a one-line
text summary kept in `layout.meta` for the page to print beside the chart.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000", "grey": "#8C8C8C",
}
PALETTE = [OKABE_ITO[k] for k in ("blue", "vermillion", "green", "purple", "orange", "sky", "yellow", "black")]
VENDOR_COLOURS = {
    "huawei": OKABE_ITO["vermillion"], "hikvision": OKABE_ITO["blue"], "ceiec": OKABE_ITO["purple"],
    "vega": OKABE_ITO["green"], "tk-mobile": OKABE_ITO["orange"], "": OKABE_ITO["grey"],
}
FONT = "Source Sans Pro, Arial, sans-serif"


def esc(text) -> str:
    """Plotly renders a subset of HTML in text; data must show as text, never as markup or links."""
    return "" if text is None else html.escape(str(text), quote=False)


def short(text: str, n: int = 160) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def wrap(text: str, width: int = 70) -> str:
    """Hover boxes need explicit line breaks; wrap escaped text at word boundaries."""
    words, lines, line = esc(text).split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "<br>".join(lines)


def finish(fig: go.Figure, *, title: str, source: str, alt: str, as_of: str, subtitle: str = "",
           present: bool = False, height: int | None = None) -> go.Figure:
    """Apply the shared look; put the finding in the title and the source line and date inside the image."""
    base = 18 if present else 14
    fig.update_layout(
        template="plotly_white",
        font=dict(family=FONT, size=base, color="#1a1a1a"),
        # Pinned to the container's top with padding: a two-line title placed in paper units sat a line too high
        # in browsers and was clipped in short figures.
        title=dict(
            text=f"<b>{esc(title)}</b>", x=0.01, xanchor="left", xref="container", y=1, yanchor="top",
            yref="container", pad=dict(t=14), font=dict(size=base + 6),
            subtitle=dict(text=esc(subtitle), font=dict(size=base, color="#333")) if subtitle else None,
        ),
        colorway=PALETTE,
        margin=dict(l=60, r=30, t=110 if subtitle else 80, b=90),
        hoverlabel=dict(font=dict(size=base, family=FONT), align="left"),
        legend=dict(font=dict(size=base if present else base - 1)),
        meta=dict(alt=alt, source=source, as_of=as_of, title=title),
    )
    if height:
        fig.update_layout(height=height)
    margin_b = fig.layout.margin.b or 90
    fig.add_annotation(
        text=f"Source: {esc(source)} · Data as of {esc(as_of)}",
        xref="paper", yref="paper", x=0, y=0, yshift=-(margin_b - 12), xanchor="left", yanchor="bottom",
        showarrow=False, align="left", font=dict(size=base if present else base - 2, color="#444"),
    )
    return fig


def empty_figure(message: str, *, title: str, source: str, as_of: str, present: bool = False) -> go.Figure:
    """A figure that says in words that nothing matches, rather than a blank plot."""
    fig = go.Figure()
    fig.add_annotation(text=esc(message), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=20 if present else 16))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return finish(fig, title=title, source=source, alt=message, as_of=as_of, present=present)
