"""The briefing as an editable PowerPoint deck: native charts from each figure's own traces, notes quoting the records.

Usage: python -m dashboard.deck --out briefing.pptx
"""

from __future__ import annotations

import argparse
import html
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from dashboard import citations
from dashboard.data import Dataset
from dashboard.transforms import sources as sx
from dashboard.views import View

TITLE = "Surveillance in Central Asia: who built it, who paid, who was sanctioned"
WIDTH, HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 x 7.5 in: PowerPoint's own 16:9
MARGIN = Inches(0.5)
GEO_TRACES = {"choropleth", "choroplethmap", "choroplethmapbox", "scattergeo", "scattermap", "scattermapbox"}
GREY = RGBColor(0x44, 0x44, 0x44)
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # day 0 of the serial dates PowerPoint's charts store


# --- a figure as a native chart: what its traces hold, in the figure's own order and colours ---

@dataclass
class Series:
    name: str
    values: list                     # y values (bar: per category; xy: per point), None where the trace has none
    colours: list[str | None]        # per value: the trace's marker colour for that point
    labels: list[str] = field(default_factory=list)  # per value: the bar's text as the figure prints it
    x: list | None = None            # xy only: the x values (dates become pandas Timestamps)
    line: bool = False               # xy only: drawn as a line (else markers)
    label_colour: str | None = None  # bar only: the figure's text colour where the slide puts the label


@dataclass
class ChartSpec:
    kind: str                        # "bar" (horizontal bars) or "xy" (a line or step chart over dates/numbers)
    categories: list[str]            # bar only: top to bottom, as the figure reads
    series: list[Series]
    stacked: bool = False
    number_format: str = "#,##0"
    x_title: str = ""
    y_title: str = ""


def plain(text) -> str:
    """Plotly's display text as plain words: <br> becomes a space, a bold lead is set off by a dash, tags go,
    entities are decoded."""
    text = re.sub(r"<br\s*/?>", " ", str(text or ""))
    text = re.sub(r"</b>\s*(?=\S)", " — ", text)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def _colours(trace, n: int) -> list[str | None]:
    c = getattr(trace.marker, "color", None) if getattr(trace, "marker", None) is not None else None
    if c is None and getattr(trace, "line", None) is not None:
        c = trace.line.color
    if isinstance(c, str) or c is None:
        return [c] * n
    return [x if isinstance(x, str) else None for x in list(c)]


def _texts(trace, n: int) -> list[str]:
    t = trace.text
    if t is None:
        return [""] * n
    if isinstance(t, str):
        return [plain(t)] * n
    return [plain(x) for x in list(t)]


def _segmented(trace) -> bool:
    """A line trace broken by gaps (None) is a set of bars in time (a Gantt-like timeline), not a line."""
    return "lines" in (trace.mode or "") and any(v is None for v in list(trace.x or []))


def native_spec(fig: go.Figure) -> ChartSpec | None:
    """The chart as PowerPoint can draw it natively, or None when it cannot (maps, timelines of spans)."""
    types = {t.type for t in fig.data}
    if types & GEO_TRACES or not types <= {"bar", "scatter"}:
        return None
    if "bar" in types:
        return _bar_spec(fig)
    if any(_segmented(t) for t in fig.data):
        return None
    return _xy_spec(fig)


def _axis_labels(fig: go.Figure, horizontal: bool) -> tuple[dict, list]:
    """Position -> label, and the axis's category order bottom-to-top (empty when plotly would infer it)."""
    ax = fig.layout.yaxis if horizontal else fig.layout.xaxis
    labels = {}
    if ax.tickvals is not None and ax.ticktext is not None:
        labels = {v: plain(t) for v, t in zip(ax.tickvals, ax.ticktext, strict=False)}
    order = list(ax.categoryarray) if ax.categoryorder == "array" and ax.categoryarray is not None else []
    return labels, order


def _annotation_label(fig: go.Figure, pos: float) -> str | None:
    """Charts that hide their category axis label each bar with an annotation just above it, in data units."""
    best = None
    for a in fig.layout.annotations:
        if a.yref == "y" and isinstance(a.y, int | float) and pos <= a.y < pos + 0.5:
            if best is None or a.y < best.y:
                best = a
    return plain(best.text) if best is not None else None


def _bar_spec(fig: go.Figure) -> ChartSpec:
    bars = [t for t in fig.data if t.type == "bar"]
    horizontal = (bars[0].orientation or "v") == "h"
    pos_of = (lambda t: list(t.y)) if horizontal else (lambda t: list(t.x))
    val_of = (lambda t: list(t.x)) if horizontal else (lambda t: list(t.y))
    ticks, order = _axis_labels(fig, horizontal)
    seen: list = []
    for t in fig.data:
        for p in pos_of(t) or []:
            if p is not None and p not in seen:
                seen.append(p)
    if order:
        positions = [p for p in order if p in seen] + [p for p in seen if p not in order]
    elif all(isinstance(p, int | float) for p in seen):
        positions = sorted(seen)
    else:
        positions = seen  # plotly puts the first category it meets at the bottom
    positions = positions[::-1] if horizontal else positions  # read top to bottom, as on screen
    notes: dict = {}
    for t in fig.data:
        if t.type == "scatter":  # text beside an empty row ("amount not given", "no figure in the documents")
            for p, txt in zip(pos_of(t), _texts(t, len(pos_of(t))), strict=True):
                if txt:
                    notes[p] = txt
    cats = []
    for p in positions:
        label = ticks.get(p) or (_annotation_label(fig, p) if isinstance(p, int | float) else None) or plain(p)
        cats.append(f"{label} — {notes[p]}" if p in notes else label)
    stacked = fig.layout.barmode in ("stack", "relative")
    series = []
    for t in bars:
        pos, vals = pos_of(t), val_of(t)
        # labels sit inside stacked bars and past the end of others, as the figure draws them
        font = t.insidetextfont if stacked else t.outsidetextfont
        cols, texts = _colours(t, len(pos)), _texts(t, len(pos))
        at = {p: i for i, p in enumerate(pos)}
        series.append(Series(
            name=plain(t.name), values=[_num(vals[at[p]]) if p in at else None for p in positions],
            colours=[cols[at[p]] if p in at else None for p in positions],
            labels=[texts[at[p]] if p in at else "" for p in positions],
            label_colour=(font.color if isinstance(font.color, str) else None) or (
                t.textfont.color if isinstance(t.textfont.color, str) else None)))
    texts = " ".join(x for s in series for x in s.labels)
    peak = max((abs(v) for s in series for v in s.values if v is not None), default=0)
    money = "US$" if "US$" in texts else "$" if "$" in texts else ""  # the axis writes money as the labels do
    fmt = (f'"{money}"#,##0,,"M"' if money and peak >= 1e6 else '#,##0,,"M"' if peak >= 1e6
           else '0"%"' if "%" in texts else "#,##0")
    return ChartSpec("bar", cats, series, stacked=stacked, number_format=fmt,
                     x_title=plain(fig.layout.xaxis.title.text) if horizontal else plain(fig.layout.yaxis.title.text))


def _num(v):
    return None if v is None or (isinstance(v, float) and pd.isna(v)) else float(v)


def _xy_spec(fig: go.Figure) -> ChartSpec:
    series = []
    for t in fig.data:
        xs = list(t.x) if t.x is not None else []
        if not xs or all(x is None for x in xs):
            continue  # a legend-only entry
        ys = [_num(y) for y in t.y]
        series.append(Series(name=plain(t.name), values=ys, colours=_colours(t, len(ys)), x=[_x(x) for x in xs],
                             line="lines" in (t.mode or "")))
    return ChartSpec("xy", [], series, x_title=plain(fig.layout.xaxis.title.text),
                     y_title=plain(fig.layout.yaxis.title.text))


def _x(v):
    if isinstance(v, int | float) and not isinstance(v, bool):
        return float(v)
    return pd.Timestamp(v)


def serial(v) -> float:
    """A date as the serial day number PowerPoint charts store; numbers pass through."""
    return float((v - EXCEL_EPOCH) / pd.Timedelta(days=1)) if isinstance(v, pd.Timestamp) else float(v)


def _rgb(hex_colour: str | None) -> RGBColor | None:
    if hex_colour and re.fullmatch(r"#[0-9A-Fa-f]{3}", hex_colour):
        hex_colour = "#" + "".join(c * 2 for c in hex_colour[1:])
    if not hex_colour or not re.fullmatch(r"#[0-9A-Fa-f]{6}", hex_colour):
        return None
    return RGBColor.from_string(hex_colour[1:].upper())


def _add_native_chart(slide, spec: ChartSpec, box: tuple) -> object:
    if spec.kind == "bar":
        data = CategoryChartData(number_format=spec.number_format)
        data.categories = spec.categories
        for s in spec.series:
            data.add_series(s.name, s.values)
        kind = XL_CHART_TYPE.BAR_STACKED if spec.stacked else XL_CHART_TYPE.BAR_CLUSTERED
        frame = slide.shapes.add_chart(kind, *box, data)
        chart = frame.chart
        plot = chart.plots[0]
        plot.gap_width = 60
        plot.overlap = 100  # one bar per row: each row has its value in one series only (or stacks, as drawn)
        chart.value_axis.tick_labels.number_format = spec.number_format
        chart.value_axis.tick_labels.number_format_is_linked = False
        chart.category_axis.reverse_order = True  # first category at the top, as the figure reads
        chart.category_axis.tick_labels.font.size = Pt(12)
        chart.value_axis.tick_labels.font.size = Pt(12)
        chart.value_axis.has_major_gridlines = True
        for s, ps in zip(spec.series, plot.series, strict=True):
            one = {c for c, v in zip(s.colours, s.values, strict=True) if v is not None}
            if len(one) == 1 and _rgb(next(iter(one))):
                ps.format.fill.solid()
                ps.format.fill.fore_color.rgb = _rgb(next(iter(one)))
            for i, (c, v, label) in enumerate(zip(s.colours, s.values, s.labels, strict=True)):
                if v is None:
                    continue
                point = ps.points[i]
                if len(one) > 1 and _rgb(c):
                    point.format.fill.solid()
                    point.format.fill.fore_color.rgb = _rgb(c)
                if label:
                    tf = point.data_label.text_frame
                    tf.text = label
                    run = tf.paragraphs[0].runs[0]
                    run.font.size = Pt(11)
                    if _rgb(s.label_colour):
                        run.font.color.rgb = _rgb(s.label_colour)
                    point.data_label.position = (XL_LABEL_POSITION.CENTER if spec.stacked
                                                 else XL_LABEL_POSITION.OUTSIDE_END)
    else:
        data = XyChartData()
        for s in spec.series:
            ser = data.add_series(s.name)
            for x, y in zip(s.x, s.values, strict=True):
                if y is not None:
                    ser.add_data_point(serial(x), y)
        frame = slide.shapes.add_chart(XL_CHART_TYPE.XY_SCATTER_LINES, *box, data)
        chart = frame.chart
        dates = any(isinstance(x, pd.Timestamp) for s in spec.series for x in s.x)
        if dates:
            chart.category_axis.tick_labels.number_format = "mmm yyyy"
            chart.category_axis.tick_labels.number_format_is_linked = False
            lo = min(serial(x) for s in spec.series for x in s.x)
            hi = max(serial(x) for s in spec.series for x in s.x)
            # axis from the first of the month before the data to the first after, ticks every quarter
            start = pd.Timestamp(EXCEL_EPOCH + pd.Timedelta(days=lo)).to_period("Q").start_time
            end = (pd.Timestamp(EXCEL_EPOCH + pd.Timedelta(days=hi)).to_period("Q") + 1).start_time
            chart.category_axis.minimum_scale, chart.category_axis.maximum_scale = serial(start), serial(end)
            chart.category_axis.major_unit = 365.25 / 4
        chart.category_axis.tick_labels.font.size = Pt(12)
        chart.value_axis.tick_labels.font.size = Pt(12)
        chart.value_axis.minimum_scale = 0
        for s, ps in zip(spec.series, chart.plots[0].series, strict=True):
            colour = _rgb(next((c for c in s.colours if c), None))
            ps.smooth = False
            if s.line:
                ps.marker.style = XL_MARKER_STYLE.NONE
                ps.format.line.width = Pt(3)
                if colour:
                    ps.format.line.color.rgb = colour
            else:
                ps.format.line.fill.background()  # markers only, as in the figure
                ps.marker.style = XL_MARKER_STYLE.CIRCLE
                ps.marker.size = 11
                if colour:
                    ps.marker.format.fill.solid()
                    ps.marker.format.fill.fore_color.rgb = colour
                    ps.marker.format.line.color.rgb = colour
        if spec.y_title:
            chart.value_axis.has_title = True
            chart.value_axis.axis_title.text_frame.text = spec.y_title
    chart.has_title = False  # the slide's title states the finding
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(12)
    chart.font.name = "Arial"
    return frame


def set_alt(shape, text: str) -> None:
    """Alt text (the descr attribute screen readers and PowerPoint's Alt Text pane read)."""
    shape._element.xpath("./*[1]/p:cNvPr")[0].set("descr", text)


# --- the records behind a chart, for the speaker notes ---

def _record_index(ds: Dataset, tables) -> dict[tuple[str, str], dict]:
    out = {}
    for table in tables:
        try:
            df = ds[table]
        except KeyError:
            continue
        keys = sx.PRIMARY_KEYS.get(table, [])
        for r in df.to_dict("records"):
            vals = [str(r[k]) for k in keys]
            out[(table, ":".join(vals))] = r
            out[(table, " / ".join(vals))] = r
    return out


def records(ds: Dataset, view) -> tuple[list[dict], list[dict]]:
    """The records a chart rests on (label, table, row_id, quote, source, locator, conflict_id), and each
    disagreement among them with every side: what the speaker notes and the offline file list."""
    ev = view.evidence
    titles = {s["source_id"]: ui_source(s) for s in ds["sources"].to_dict("records")}
    index = _record_index(ds, ev["table"].unique())
    lookups = sx.label_lookups(ds)
    out, conflicts = [], []
    for r in ev.to_dict("records"):
        rec = index.get((r["table"], str(r["row_id"])))
        cid = r.get("conflict_id") if sx.given(r.get("conflict_id")) else (
            rec.get("conflict_id") if rec is not None and sx.given(rec.get("conflict_id")) else None)
        out.append({"label": sx.record_label(ds, r["table"], rec, lookups) if rec is not None else str(r["row_id"]),
                    "table": r["table"], "row_id": str(r["row_id"]), "quote": r["quote"],
                    "source": titles.get(r["source_id"], r["source_id"]), "locator": r["locator"],
                    "conflict_id": cid})
        if cid and cid not in conflicts:
            conflicts.append(cid)
    table = ds["disagreements"].set_index("conflict_id")
    sides = []
    for cid in conflicts:
        d = table.loc[cid]
        sides.append({"conflict_id": cid, "topic": d["topic"], "summary": d["summary"], "handling": d["handling"],
                      "sides": [{"label": s["label"], "table": s["table"], "row_id": s["record_id"],
                                 "quote": s["quote"], "source": titles.get(s["source_id"], s["source_id"]),
                                 "locator": s["locator"]}
                                for s in sx.conflict_rows(ds, cid, lookups).to_dict("records")]})
    return out, sides


def notes_text(ds: Dataset, view, link: str = "") -> str:
    """Every record the chart rests on: what it says, its verbatim quote, source and locator; then each
    disagreement among them with every side."""
    recs, conflicts = records(ds, view)
    lines = [f"Finding: {view.alt}", f"Source line: {view.source}"]
    if link:
        lines.append(f"View: {link}")
    if not recs:
        lines += ["", "The records behind this chart, with their quotes, are listed under it in the dashboard"
                  + (f" ({link})." if link else ".")]
    else:
        lines += ["", f"The {len(recs)} records behind this chart:"]
    for r in recs:
        lines.append(f"• {r['label']} [{r['table']} {r['row_id']}]")
        lines.append(f"  “{r['quote']}”")
        lines.append(f"  — {r['source']}, {r['locator']}")
        if r["conflict_id"]:
            lines.append(f"  ⚠ Sources disagree: {r['conflict_id']}")
    for d in conflicts:
        lines += ["", f"Disagreement {d['conflict_id']}: {d['topic']}. {d['summary']} {d['handling']}"]
        for s in d["sides"]:
            lines.append(f"  Side [{s['table']} {s['row_id']}]: {s['label']}")
            lines.append(f"    “{s['quote']}” — {s['source']}, {s['locator']}")
    return "\n".join(lines)


def ui_source(s: dict) -> str:
    who = s["publisher"] if sx.given(s["publisher"]) else s["author"] if sx.given(s["author"]) else ""
    date = f", {pd.Timestamp(s['date_published']):%Y-%m-%d}" if sx.given(s["date_published"]) else ""
    return f"{who + ', ' if who else ''}“{s['title']}”{date} ({s['source_id']})"


# --- slides ---

def _text_box(slide, box, text: str, size: int, *, bold=False, colour=None, align=None):
    tb = slide.shapes.add_textbox(*box)
    tf = tb.text_frame
    tf.word_wrap = True
    for i, line in enumerate(text.split("\n")):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        p.text = line
        p.font.size, p.font.bold = Pt(size), bold
        if colour:
            p.font.color.rgb = colour
        if align:
            p.alignment = align
    return tb


def _title(slide, text: str, size: int = 28):
    t = slide.shapes.title
    t.left, t.top, t.width, t.height = MARGIN, Inches(0.25), WIDTH - 2 * MARGIN, Inches(1.1)
    t.text = text
    for p in t.text_frame.paragraphs:
        p.font.size, p.font.bold = Pt(size), True
        p.alignment = PP_ALIGN.LEFT
    return t


def picture_png(fig: go.Figure) -> bytes:
    """The figure as a 1920x1080 PNG (laid out at 1280x720, 1.5x), without its title, which the slide carries."""
    from dashboard import export

    export._start_renderer()
    fig = go.Figure(fig)
    fig.update_layout(title=None, margin=dict(t=30))
    return fig.to_image(format="png", width=export.WIDTH, height=export.HEIGHT, scale=export.SCALE)


def chart_slide(prs, ds: Dataset, view, link: str = "") -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _title(slide, view.title, 26)
    alt = view.alt
    box = (MARGIN, Inches(1.4), WIDTH - 2 * MARGIN, Inches(5.3))
    spec = native_spec(view.figure) if view.figure is not None else None
    if spec is not None:
        frame = _add_native_chart(slide, spec, box)
        set_alt(frame, alt)
    elif view.figure is not None:
        from dashboard.export import with_link

        png = picture_png(with_link(view.figure, link))
        h = box[3]
        w = Emu(int(h * 16 / 9))
        pic = slide.shapes.add_picture(io.BytesIO(png), Emu(int((WIDTH - w) / 2)), box[1], w, h)
        set_alt(pic, alt)
    as_of = view.as_of or ds.descriptor.get("created", "")[:10]
    line = f"Source: {view.source} · Data as of {as_of}" + (f" · View: {link}" if link else "")
    _text_box(slide, (MARGIN, Inches(6.8), WIDTH - 2 * MARGIN, Inches(0.5)), line, 12, colour=GREY)
    slide.notes_slide.notes_text_frame.text = notes_text(ds, view, link)


def build(ds: Dataset, views: list, *, title: str = TITLE, what: str = "", links: list[str] | None = None) -> bytes:
    """A 16:9 deck: a title slide, one slide per view, and a closing slide citing every source."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    as_of = ds.descriptor.get("created", "")[:10]
    first = prs.slides.add_slide(prs.slide_layouts[0])
    first.shapes.title.text = title
    first.shapes.title.left, first.shapes.title.top = MARGIN, Inches(1.6)
    first.shapes.title.width, first.shapes.title.height = WIDTH - 2 * MARGIN, Inches(2)
    sub = first.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = MARGIN, Inches(3.9), WIDTH - 2 * MARGIN, Inches(2.4)
    sub.text = (what or f"A briefing deck: the {len(views)} key charts in presenting order, each titled with its "
                "finding. The speaker notes quote the records behind every figure, with source and locator.")
    sub.text_frame.add_paragraph().text = f"Data as of {as_of} · dataset version {ds.descriptor.get('version', '')}"
    for p in sub.text_frame.paragraphs:
        p.font.size = Pt(20)
    links = links or [v.link for v in views]
    for v, link in zip(views, links, strict=True):
        chart_slide(prs, ds, v, link)
    _closing(prs, ds)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _closing(prs, ds: Dataset) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    _title(slide, "Sources", 28)
    cites = citations.plain_citations(ds)
    half = (len(cites) + 1) // 2
    colw = (WIDTH - 2 * MARGIN - Inches(0.3)) / 2
    for col, part in enumerate((cites[:half], cites[half:])):
        tb = _text_box(slide, (MARGIN + int(col * (colw + Inches(0.3))), Inches(1.3), int(colw), Inches(5.9)),
                       "\n".join(part), 11)
        for p in tb.text_frame.paragraphs:
            p.space_after = Pt(3)
    slide.notes_slide.notes_text_frame.text = ("Every source the data cites, as in sources.csv. The same list comes "
                                               "as BibTeX, RIS and CSL-JSON in the briefing pack (citations/).")


def briefing_views(ds: Dataset, present: bool = True) -> list[View]:
    from dashboard.views import briefing

    return briefing.slides(ds, present)


def briefing_deck(ds: Dataset) -> bytes:
    views = briefing_views(ds)
    from dashboard.export import briefing_link

    return build(ds, views, links=[briefing_link(i, v) for i, v in enumerate(views, start=1)])


def main(argv: list[str] | None = None) -> int:
    from dashboard.data import DATA_DIR, DataError, load
    from dashboard.export import ExportError

    parser = argparse.ArgumentParser(prog="python -m dashboard.deck", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="the .pptx file to write")
    args = parser.parse_args(argv)
    try:
        data = briefing_deck(load(DATA_DIR))
    except (DataError, ExportError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    tmp = args.out.with_suffix(args.out.suffix + ".part")
    tmp.write_bytes(data)
    tmp.replace(args.out)  # never a half-written deck
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
