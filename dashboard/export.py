"""Write the briefing pack: every key chart as PNG, SVG and PDF, the data with its datapackage, and the citations.

Usage: python -m dashboard.export --out DIR [--formats png,svg,pdf]

Exit codes: 0 written; 2 the data could not be loaded (the message names the file and the problem); 3 Chromium is
missing; 4 the pack could not be written (disk full, no permission, or DIR holds files the export did not write);
130/143 interrupted. The pack is written to a temporary folder beside DIR and moved into place only when complete,
so DIR never holds half a pack or a mix of two data versions.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import io
import os
import shutil
import signal
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from dashboard import citations
from dashboard import data as data_module
from dashboard.data import DATA_DIR, DataError, Dataset, load
from dashboard.safe import md
from dashboard.views import View, as_of, briefing

# Laid out at 1280x720 and rendered at 1.5x: a 1920x1080 image whose text stays readable on a slide.
WIDTH, HEIGHT, SCALE = 1280, 720, 1.5
TOPOJSON_DIR = Path(__file__).resolve().parent / "static" / "topojson"


MANIFEST = "MANIFEST.sha256"  # every file of the pack with its sha256 (`sha256sum -c MANIFEST.sha256`)


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


class PackWriteError(ExportError):
    """The pack could not be written where asked (disk full, permissions, a folder holding other files)."""


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
    """Each chart's title, finding, source line, and every quote it rests on, with source and locator.

    Data text is escaped as on screen (safe.md): rendered, the file shows each quote verbatim, with no live HTML,
    links or emphasis, and no bidi controls.
    """
    titles = dict(zip(ds["sources"]["source_id"], ds["sources"]["title"], strict=True))
    out = [f"# Briefing pack: citations\n\nData as of {md(as_of(ds))}. Every figure in these charts comes "
           "from the quotes below; the full tables are in `data/`.\n"]
    for i, s in enumerate(slides, start=1):
        out.append(f"\n## {i}. {md(s.title)}\n\n{md(s.alt)}\n\nSource line: {md(s.source)}\n\n"
                   f"File: `{i:02d}-{s.slug}.*`\n")
        out += _quote_lines(s.evidence, titles)
    return "\n".join(out) + "\n"


def _quote_lines(evidence, titles: dict[str, str]) -> list[str]:
    """Per source, in order of first citation: a heading, then each distinct quote once with its locator and row."""
    ev = evidence[evidence["source_id"].notna()]
    ev = ev.assign(_order=pd.factorize(ev["source_id"])[0]).drop_duplicates(subset=["source_id", "quote"])
    ev = ev.sort_values("_order", kind="stable")
    first = ~ev["source_id"].duplicated()
    out = []
    for sid, is_first, quote, locator, table, row_id in zip(ev["source_id"], first, ev["quote"], ev["locator"],
                                                            ev["table"], ev["row_id"], strict=True):
        if is_first:
            out.append(f"\n**{md(titles.get(sid, sid))}** ({md(sid)})\n")
        out.append(f"- “{md(quote)}” — {md(locator)} ({md(table)}: {md(row_id)})")
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
    """Write the pack into out/ and return the files written. progress(fraction, label) is called as it goes.

    Everything is written into a temporary folder beside out/ and moved into place only when complete; a failure
    or an interruption removes that folder (only what this run wrote) and leaves out/ as it was.
    """
    ds = ds or load(DATA_DIR)
    out = Path(out).absolute()
    _check_destination(out)
    _start_renderer()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; the pack is an ordinary folder
    except OSError as exc:
        raise _write_error(exc, out) from None
    try:
        names = _write_into(staging, ds, formats, progress or (lambda f, label: None))
        _move_into_place(staging, out, names)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)  # a folder this run created and alone wrote into
        if isinstance(exc, OSError):
            raise _write_error(exc, out) from None
        raise
    return [out / n for n in names]


def _write_into(root: Path, ds: Dataset, formats, tell: Callable[[float, str], None]) -> list[str]:
    """Charts, data and citations into root; returns their paths relative to root, the manifest last."""
    (root / "charts").mkdir()
    slides = briefing.slides(ds, present=True)
    steps = len(slides) * len(formats) + 4
    done, written = 0, []
    for i, s in enumerate(slides, start=1):
        fig = with_link(s.figure, briefing_link(i, s))
        for fmt in formats:
            rel = f"charts/{i:02d}-{s.slug}.{fmt}"
            tell(done / steps, rel.removeprefix("charts/"))
            fig.write_image(root / rel, format=fmt, width=WIDTH, height=HEIGHT, scale=SCALE)
            written.append(rel)
            done += 1
    tell(done / steps, "data")
    # The exact bytes the charts were drawn from: re-read once and checked against the loaded dataset's digest.
    snap = data_module.snapshot(ds.data_dir or DATA_DIR)
    if ds.digest and snap.digest != ds.digest:
        raise ExportError("The data changed while the pack was being written; run the export again.")
    for rel, raw in snap.files.items():
        target = root / "data" / rel
        if not target.resolve().is_relative_to((root / "data").resolve()):  # check_descriptor already refuses
            raise ExportError(f"resource path {rel!r} leaves the pack's data folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
        written.append(f"data/{rel}")
    done += 1
    tell(done / steps, "citations")
    (root / "CITATIONS.md").write_text(citations_markdown(ds, slides), encoding="utf-8")
    written.append("CITATIONS.md")
    written += [p.relative_to(root).as_posix() for p in write_citations(root, ds)]
    tell(done / steps, "briefing.pptx")
    from dashboard import deck, offline  # imported here: the plain image export needs neither

    (root / "briefing.pptx").write_bytes(deck.briefing_deck(ds))
    written.append("briefing.pptx")
    tell(done / steps, "briefing.html")
    (root / "briefing.html").write_text(offline.briefing_html(ds), encoding="utf-8")
    written.append("briefing.html")
    lines = [f"{hashlib.sha256((root / rel).read_bytes()).hexdigest()}  {rel}\n" for rel in written]
    (root / MANIFEST).write_text("".join(lines), encoding="utf-8")
    written.append(MANIFEST)
    tell(1.0, "done")
    return written


def _pack_files(folder: Path) -> set[str] | None:
    """The files a previous export listed in folder's manifest, or None when folder is not a pack."""
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return {line.split("  ", 1)[1] for line in text.splitlines() if "  " in line} | {MANIFEST}


def _present_files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}


def _check_destination(out: Path) -> None:
    """out/ must be new, empty, or a pack an earlier export wrote and nobody added to: its files may be replaced."""
    if not out.exists() and not out.is_symlink():
        return
    if not out.is_dir() or out.is_symlink():
        raise PackWriteError(f"{out} exists and is not a folder; choose a new or empty folder for the pack.")
    present = _present_files(out)
    if not present:
        return
    ours = _pack_files(out)
    if ours is None:
        raise PackWriteError(f"{out} already holds files the export did not write (for example "
                             f"{sorted(present)[0]}); choose a new or empty folder, so nothing of yours is replaced.")
    foreign = present - ours
    if foreign:
        raise PackWriteError(f"{out} holds an earlier pack plus files the export did not write (for example "
                             f"{sorted(foreign)[0]}); move them out or choose another folder.")


def _move_into_place(staging: Path, out: Path, names: list[str]) -> None:
    """Rename the complete pack to out/; an earlier pack there is moved aside first and then removed file by file
    (only the files its manifest lists, which _check_destination found to be all it holds)."""
    _check_destination(out)  # again: the folder may have changed while the charts were drawn
    if out.is_dir() and _present_files(out):
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / "pack")
        os.replace(staging, out)
        _remove_pack(old / "pack")
        with contextlib.suppress(OSError):
            old.rmdir()
    else:
        os.replace(staging, out)  # onto a missing or empty folder: atomic


def _remove_pack(folder: Path) -> None:
    for rel in sorted(_pack_files(folder) or (), key=lambda r: -r.count("/")):
        with contextlib.suppress(FileNotFoundError):
            (folder / rel).unlink()
    for d in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        with contextlib.suppress(OSError):
            d.rmdir()  # only empty folders go
    with contextlib.suppress(OSError):
        folder.rmdir()


def _write_error(exc: OSError, out: Path) -> PackWriteError:
    if exc.errno == errno.ENOSPC:
        return PackWriteError(f"The disk is full: the pack could not be written beside {out}. Nothing was left "
                              "half-written; free some space and run the export again.")
    return PackWriteError(f"The pack could not be written to {out} ({exc.strerror or exc}). Nothing was left "
                          "half-written.")


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


def _interrupted(signum, frame):
    raise KeyboardInterrupt("SIGTERM")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.export", description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="folder to write the pack into")
    parser.add_argument("--formats", default="png,svg,pdf", help="comma-separated: png, svg, pdf")
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    bad = set(formats) - {"png", "svg", "pdf"}
    if bad:
        parser.error(f"unknown format(s): {', '.join(sorted(bad))}")
    # SIGTERM unwinds like Ctrl-C, so the temporary folder is removed and nothing half-written is left behind.
    signal.signal(signal.SIGTERM, _interrupted)
    try:
        files = write_pack(args.out, formats=formats, progress=_bar)
    except DataError as err:
        print(f"error: the data could not be loaded: {err}", file=sys.stderr)
        return 2
    except PackWriteError as err:
        print(f"\nerror: {err}", file=sys.stderr)
        return 4
    except ExportError as err:
        print(f"\nerror: {err}", file=sys.stderr)
        return 3
    except KeyboardInterrupt as stop:
        print(f"\ninterrupted: no pack was written to {args.out}", file=sys.stderr)
        return 143 if stop.args == ("SIGTERM",) else 130
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
