"""Streamlit's static files and the app's, precompressed once (brotli 11, gzip 9) for nginx to send as they are."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import re
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "static"
APP_STATIC = ROOT / "dashboard" / "static"
# Text worth compressing; fonts (woff2), images and the rest are compressed already or tiny.
TEXT = {".js", ".mjs", ".css", ".json", ".svg", ".html", ".txt", ".map", ".ttf", ".otf", ".xml", ".wasm"}
ICON_FONT = "MaterialSymbols-Rounded.*.woff2"
ICON = re.compile(r":material/([a-z0-9_]+):")
# Streamlit's text faces (Source Sans, Code, Serif: 90-170 KB each, every character set) are split the way Google
# Fonts splits them: the Latin characters (Google's "latin" range plus the combining marks) and any other character
# the app's own code and data use in the file Streamlit's page preloads, everything else in a second file the
# browser fetches only for a character outside that set (data in another script, say).
LATIN = ("U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0300-036F,U+2000-206F,U+20AC,U+2122,"
         "U+2190-2199,U+2212,U+2215,U+FEFF,U+FFFD")
FACE = re.compile(r'@font-face\{font-family:(Source [A-Za-z ]+);([^{}]*?)src:url\(\.\./media/([^)"]+)\.woff2\)'
                  r'format\("woff2"\)\}')
VERSION = "1"  # bump when the output changes for the same inputs


def streamlit_static() -> Path:
    """The installed Streamlit's hashed assets (served at /static/)."""
    import streamlit

    return Path(streamlit.__file__).parent / "static" / "static"


def trees() -> dict[str, Path]:
    """URL prefix (relative to nginx's root) -> folder served there."""
    return {"static": streamlit_static(), "app/static": APP_STATIC}


def app_icons(src: Path = ROOT / "dashboard") -> set[str]:
    """Material icon names the app's own code asks for (`:material/NAME:` in its Python)."""
    return {m for p in sorted(src.rglob("*.py")) for m in ICON.findall(p.read_text(encoding="utf-8"))}


def app_chars(roots: tuple[Path, ...] = (ROOT / "dashboard", ROOT / "data")) -> set[int]:
    """Every character in the app's code and data files (what its pages can show besides what readers type)."""
    out: set[int] = set()
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix in (".py", ".csv", ".json", ".md", ".txt", ".bib", ".ris"):
                out |= {ord(c) for c in p.read_text(encoding="utf-8", errors="replace")}
    return out


def icon_glyphs(font) -> dict[str, str]:
    """Icon name -> glyph in a Material Symbols font: its ligatures (the letters of a name become the icon)."""
    letters = {g: chr(cp) for cp, g in font.getBestCmap().items() if cp < 128}
    out = {}
    for lookup in font["GSUB"].table.LookupList.Lookup:
        for sub in lookup.SubTable:
            sub = sub.ExtSubTable if lookup.LookupType == 7 else sub
            for first, ligatures in getattr(sub, "ligatures", {}).items():
                for lig in ligatures:
                    parts = [first, *lig.Component]
                    if all(g in letters for g in parts):
                        out["".join(letters[g] for g in parts)] = lig.LigGlyph
    return out


def icons_in_use(font_names: set[str], bundle: Path, extra: set[str]) -> set[str]:
    """Every icon Streamlit's client could draw, generously: any word in its scripts that names an icon (names come
    as `:material/x:` strings and as bare words, e.g. the data grid's `more_vert`), plus the app's own."""
    words: set[str] = set()
    for p in sorted(bundle.rglob("*")):
        if p.suffix in (".js", ".css"):
            words |= set(re.findall(r"[a-z0-9_]+", p.read_text(encoding="utf-8", errors="replace")))
    return (words | extra) & font_names


def subset_icon_font(src: Path, dst: Path, bundle: Path, extra: set[str]) -> list[str]:
    """Material Symbols (4,300 icons, 375 KB, which Streamlit preloads on every first visit) cut to the icons in use;
    the same letters, metrics and drawing for those. Returns the icon names kept."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(src)
    names = icon_glyphs(font)
    keep = sorted(icons_in_use(set(names), bundle, extra))
    missing = sorted(extra - set(names))
    if missing:
        raise ValueError(f"{src.name} has no icon named {', '.join(missing)} (dashboard/ asks for them)")
    opts = subset.Options(layout_closure=False, layout_features=["*"], name_IDs=["*"], notdef_outline=True)
    opts.flavor = "woff2"
    letters = [g for cp, g in font.getBestCmap().items() if cp < 128]
    sub = subset.Subsetter(opts)
    sub.populate(glyphs=letters + [names[n] for n in keep])
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    dst.write_bytes(buf.getvalue())
    return keep


def codepoints(ranges: str) -> set[int]:
    """"U+0000-00FF,U+0131" -> the code points."""
    out: set[int] = set()
    for part in ranges.split(","):
        lo, _, hi = part.strip().removeprefix("U+").partition("-")
        out.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    return out


def unicode_range(points: set[int]) -> str:
    """The code points as a CSS unicode-range (runs joined)."""
    runs: list[list[int]] = []
    for cp in sorted(points):
        if runs and cp == runs[-1][1] + 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return ",".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def subset_text_font(src: Path, dst: Path, points: set[int]) -> None:
    """The font with only these characters: same outlines, kerning, features and weight axis for them."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(src)
    opts = subset.Options(layout_features=["*"], name_IDs=["*"], notdef_outline=True)
    opts.flavor = "woff2"
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(points))
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    dst.write_bytes(buf.getvalue())


def split_text_faces(copy: Path, original: Path, chars: set[int]) -> list[str]:
    """Each Source face of Streamlit's CSS (in the copy) becomes two: Latin and `chars` from the preloaded file name,
    now that subset, and the rest from `<name>.full.woff2`, the whole original font. Returns the fonts split."""
    from fontTools.ttLib import TTFont

    ranges: dict[str, tuple[str, str]] = {}

    def split(m: re.Match) -> str:
        family, props, name = m.groups()
        if name not in ranges:
            src = original / "media" / f"{name}.woff2"
            has = set(TTFont(src).getBestCmap())
            # the app's characters the font lacks too (an emoji): as before, the browser looks for them in the
            # next font, and where none has them draws this font's own missing-glyph box, not another font's
            first = codepoints(LATIN) | chars
            # the rest names only characters the font has: a symbol it lacks must not fetch it for nothing
            ranges[name] = unicode_range(first), unicode_range(has - first)
            shutil.copyfile(src, copy / "media" / f"{name}.full.woff2")
            subset_text_font(src, copy / "media" / f"{name}.woff2", first & has)
        first, rest = ranges[name]
        return (f'@font-face{{font-family:{family};{props}src:url(../media/{name}.full.woff2)format("woff2");'
                f'unicode-range:{rest}}}@font-face{{font-family:{family};{props}src:url(../media/{name}.woff2)'
                f'format("woff2");unicode-range:{first}}}')

    for css in sorted(copy.glob("css/*.css")):
        text = css.read_text(encoding="utf-8")
        new = FACE.sub(split, text)
        if new != text:
            css.write_text(new, encoding="utf-8")
    return sorted(ranges)


def _compress(path: str) -> None:
    """path.br and path.gz beside the file, each only when smaller; written whole or not at all."""
    import brotli

    data = Path(path).read_bytes()
    for ext, packed in ((".br", brotli.compress(data, quality=11, lgwin=24)),
                        (".gz", gzip.compress(data, compresslevel=9, mtime=0))):
        if len(packed) < len(data):
            tmp = Path(path + ext + ".tmp")
            tmp.write_bytes(packed)
            tmp.replace(path + ext)


def key(sources: dict[str, Path] | None = None, icons: set[str] | None = None, chars: set[int] | None = None) -> str:
    """What the copy depends on: every source file's bytes, the app's icons and characters, this module."""
    sources = sources or trees()
    icons = app_icons() if icons is None else icons
    chars = app_chars() if chars is None else chars
    h = hashlib.sha256(f"{VERSION}\n{sorted(icons)}\n{unicode_range(chars)}\n".encode())
    h.update(Path(__file__).read_bytes())
    for prefix, folder in sorted(sources.items()):
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                h.update(f"{prefix}/{p.relative_to(folder)}\0".encode())
                h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:16]


def build(dest: Path, sources: dict[str, Path] | None = None, icons: set[str] | None = None,
          chars: set[int] | None = None, workers: int | None = None) -> Path:
    """The served tree at dest (dest/static/..., dest/app/static/...), made in a temp folder and renamed into place,
    so a half-built copy is never served."""
    sources = sources or trees()
    icons = app_icons() if icons is None else icons
    chars = app_chars() if chars is None else chars
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        for prefix, folder in sources.items():
            shutil.copytree(folder, tmp / prefix)
        fonts = sorted((tmp / "static").glob(f"media/{ICON_FONT}"))
        for font in fonts:
            subset_icon_font(sources["static"] / font.relative_to(tmp / "static"), font, sources["static"], icons)
        split_text_faces(tmp / "static", sources["static"], chars)
        texts = [str(p) for p in sorted(tmp.rglob("*")) if p.is_file() and p.suffix in TEXT]
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            list(pool.map(_compress, texts, chunksize=4))
        tmp.chmod(0o755)
        if dest.exists():
            shutil.rmtree(dest)
        try:
            tmp.rename(dest)
        except OSError:
            if not dest.is_dir():  # not another process that built the same copy meanwhile
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def cached(cache: Path = CACHE, log=None) -> Path:
    """The precompressed copy for the installed Streamlit and this app, built the first time (about a minute of
    brotli 11 on two cores) and reused after."""
    dest = cache / key()
    if not dest.is_dir():
        if log:
            log(f"precompressing static files into {dest} (once per Streamlit version; about a minute)…")
        for old in cache.glob("*") if cache.is_dir() else ():
            shutil.rmtree(old, ignore_errors=True)  # copies for other versions
        build(dest)
    return dest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path, help="folder to write (its static/ and app/static/ are nginx's root)")
    a = ap.parse_args(argv)
    try:
        build(a.out)
    except Exception as exc:  # noqa: BLE001 - a plain line, not a traceback, in the image build's log
        print(f"could not precompress the static files into {a.out}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
