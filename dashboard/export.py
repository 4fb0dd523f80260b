"""Write the briefing pack: every key chart as PNG, SVG and PDF, the data with its datapackage, and the citations.

Usage: python -m dashboard.export --out DIR [--formats png,svg,pdf]
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from dashboard import citations
from dashboard.data import DATA_DIR, DataError, Dataset, load
from dashboard.views import View, as_of, briefing

# Laid out at 1280x720 and rendered at 1.5x: a 1920x1080 image whose text stays readable on a slide.
WIDTH, HEIGHT, SCALE = 1280, 720, 1.5
TOPOJSON_DIR = Path(__file__).resolve().parent / "static" / "topojson"


def with_link(fig, link: str):
    """A copy of the figure whose drawn source line ends with the view's link ('View: /money?country=KGZ'), so an
    exported image says how to reopen what it shows. The figure itself (often memoised and shared) is unchanged."""
    import plotly.graph_objects as go

    if not link:
        return fig
    out = go.Figure(fig)
    for a in out.layout.annotations:
        if isinstance(a.text, str) and a.text.startswith("Source:"):
            a.text = f"{a.text} · View: {link}"
            break
    out.update_layout(meta={**dict(out.layout.meta or {}), "link": link})
    return out


def briefing_link(i: int, view=None) -> str:
    """The dashboard link that reopens the i-th key chart (1-based): the view's own, else the briefing step."""
    return (view.link if view is not None else "") or f"/briefing?step={i}"


class ExportError(Exception):
    """A plain-words reason the pack could not be written."""


def find_chromium() -> str | None:
    """The browser kaleido would use (BROWSER_PATH or the system's Chromium), if it exists and can run."""
    import os

    from choreographer.browsers.chromium import Chromium

    path = Chromium.find_browser(skip_local=True)
    return path if path and os.path.isfile(path) and os.access(path, os.X_OK) else None


def _start_renderer() -> None:
    """One headless Chromium per process (kaleido 1.x), with the base map read from disk, never a CDN."""
    import kaleido
    import plotly.io as pio

    pio.defaults.topojson = TOPOJSON_DIR.as_uri() + "/"
    # kaleido starts its browser in a background thread: a missing browser there would hang, not raise.
    if not find_chromium():
        raise ExportError("Image export needs Chromium, which was not found. On Debian/Ubuntu: "
                          "`apt-get install chromium` (or set BROWSER_PATH to a Chrome/Chromium executable).")
    try:
        kaleido.start_sync_server(mathjax=False, silence_warnings=True)
    except Exception as exc:  # choreographer raises its own types when no browser is found
        raise ExportError(
            "Image export needs Chromium, which was not found or could not start "
            f"({type(exc).__name__}: {exc}). On Debian/Ubuntu: `apt-get install chromium`."
        ) from None


def citations_markdown(ds: Dataset, slides: list[View]) -> str:
    """Each chart's title, finding, source line, and every quote it rests on, with source and locator."""
    titles = dict(zip(ds["sources"]["source_id"], ds["sources"]["title"], strict=True))
    out = [f"# Briefing pack: citations\n\nData as of {as_of(ds)}. Every figure in these charts comes "
           "from the quotes below; the full tables are in `data/`.\n"]
    for i, s in enumerate(slides, start=1):
        out.append(f"\n## {i}. {s.title}\n\n{s.alt}\n\nSource line: {s.source}\n\nFile: `{i:02d}-{s.slug}.*`\n")
        out += _quote_lines(s.evidence, titles)
    return "\n".join(out) + "\n"


def _quote_lines(evidence, titles: dict[str, str]) -> list[str]:
    """Per source, in order of first citation: a heading, then each distinct quote once with its locator and row."""
    ev = evidence[evidence["source_id"].notna()]
    ev = ev.assign(_order=pd.factorize(ev["source_id"])[0]).drop_duplicates(subset=["source_id", "quote"])
    ev = ev.sort_values("_order", kind="stable")
    text = ("- “" + ev["quote"].astype(str) + "” — " + ev["locator"].astype(str) + " (" + ev["table"].astype(str)
            + ": " + ev["row_id"].astype(str) + ")")
    first = ~ev["source_id"].duplicated()
    out = []
    for sid, is_first, line in zip(ev["source_id"], first, text, strict=True):
        if is_first:
            out.append(f"\n**{titles.get(sid, sid)}** (`{sid}`)\n")
        out.append(line)
    return out


def write_citations(out: Path, ds: Dataset) -> list[Path]:
    """The sources as BibTeX, RIS and CSL-JSON, and the dataset's CITATION.cff, under out/citations/."""
    folder = out / "citations"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in citations.files(ds).items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    cff = Path(__file__).resolve().parent.parent / "CITATION.cff"
    if cff.is_file():
        shutil.copy2(cff, folder / "CITATION.cff")
        written.append(folder / "CITATION.cff")
    return written


def write_pack(out: Path, ds: Dataset | None = None, formats=("png", "svg", "pdf"),
               progress: Callable[[float, str], None] | None = None) -> list[Path]:
    """Write the pack into out/ and return the files written. progress(fraction, label) is called as it goes."""
    ds = ds or load(DATA_DIR)
    out = Path(out)
    (out / "charts").mkdir(parents=True, exist_ok=True)
    _start_renderer()
    tell = progress or (lambda f, label: None)
    slides = briefing.slides(ds, present=True)
    steps = len(slides) * len(formats) + 4
    done, written = 0, []
    for i, s in enumerate(slides, start=1):
        fig = with_link(s.figure, briefing_link(i, s))
        for fmt in formats:
            path = out / "charts" / f"{i:02d}-{s.slug}.{fmt}"
            tell(done / steps, f"{path.name}")
            fig.write_image(path, format=fmt, width=WIDTH, height=HEIGHT, scale=SCALE)
            written.append(path)
            done += 1
    tell(done / steps, "data")
    data_out = out / "data"
    data_out.mkdir(exist_ok=True)
    for res in ds.descriptor["resources"]:
        shutil.copy2(DATA_DIR / res["path"], data_out / res["path"])
        written.append(data_out / res["path"])
    shutil.copy2(DATA_DIR / "datapackage.json", data_out / "datapackage.json")
    written.append(data_out / "datapackage.json")
    done += 1
    tell(done / steps, "citations")
    cites = out / "CITATIONS.md"
    cites.write_text(citations_markdown(ds, slides), encoding="utf-8")
    written.append(cites)
    written += write_citations(out, ds)
    tell(done / steps, "briefing.pptx")
    from dashboard import deck

    (out / "briefing.pptx").write_bytes(deck.briefing_deck(ds))
    written.append(out / "briefing.pptx")
    tell(done / steps, "briefing.html")
    from dashboard import offline

    (out / "briefing.html").write_text(offline.briefing_html(ds), encoding="utf-8")
    written.append(out / "briefing.html")
    tell(1.0, "done")
    return written


def zip_pack(files: list[Path], root: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            z.write(f, f.relative_to(root))
    return buf.getvalue()


def _bar(fraction: float, label: str) -> None:
    width = 30
    filled = int(width * fraction)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {label[:40]:<40}")
    sys.stderr.flush()
    if fraction >= 1:
        sys.stderr.write("\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.export", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="folder to write the pack into")
    parser.add_argument("--formats", default="png,svg,pdf", help="comma-separated: png, svg, pdf")
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    bad = set(formats) - {"png", "svg", "pdf"}
    if bad:
        parser.error(f"unknown format(s): {', '.join(sorted(bad))}")
    try:
        files = write_pack(args.out, formats=formats, progress=_bar)
    except DataError as err:
        print(f"error: the data could not be loaded: {err}", file=sys.stderr)
        return 2
    except ExportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
