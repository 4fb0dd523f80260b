"""Load the cited data package into pandas, validate it against its own schema, and fail with one clear error."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import frictionless
import geopandas as gpd
import numpy as np
import pandas as pd

# DASHBOARD_DATA_DIR points the app at another copy of the package (benchmarks' synthetic data, tests' bad data).
DATA_DIR = Path(os.environ.get("DASHBOARD_DATA_DIR") or Path(__file__).resolve().parent.parent / "data")
DESCRIPTOR = "datapackage.json"
# Where a successful validation is remembered, by the sha256 of every byte it checked (see _validate_once).
CACHE_DIR = Path(os.environ.get("DASHBOARD_CACHE_DIR") or Path.home() / ".cache" / "central-asia-dashboard")
BOUNDARY_KEYS = {"KAZ", "KGZ", "TJK", "TKM", "UZB", "CN-XJ"}


class DataError(Exception):
    """Bad data: names the file, the row and the field, and says what is wrong, in plain words."""

    def __init__(self, file: str, message: str, row: int | None = None, field: str | None = None):
        self.file, self.row, self.field, self.message = file, row, field, message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [f"file {self.file}"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True)
class Dataset:
    """Every table of the package, typed, plus the boundaries and the descriptor they were checked against."""

    tables: dict[str, pd.DataFrame]
    boundaries: gpd.GeoDataFrame
    descriptor: dict = field(repr=False)
    # Results derived from this dataset (see loaders.derive); they live and die with it.
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    digest: str = ""  # sha256 of the exact bytes loaded (see snapshot)
    data_dir: Path | None = None

    @property
    def boundary_features(self) -> dict[str, dict]:
        """GeoJSON features keyed by iso3, as plain dicts: what Plotly wants, without re-serialising each run."""
        return self.boundaries.attrs["features"]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def field_descriptions(self, table: str) -> dict[str, str]:
        res = next(r for r in self.descriptor["resources"] if r["name"] == table)
        return {f["name"]: f.get("description", "") for f in res["schema"]["fields"]}


# What the dashboard reads from a descriptor: the tables its pages use, and the field types _read_table converts.
TABLES = ("sources", "disagreements", "countries", "places", "entities", "deployments", "financing", "debt",
          "actions", "action_dates", "action_entities", "indicators", "events", "installations", "statements")
FIELD_TYPES = ("string", "integer", "number", "date", "boolean")
# A cell starting with one of these is run as a formula by Excel or LibreOffice when a CSV is opened (CSV
# injection), and these invisible direction controls reorder the text after them on screen. The package's schema
# rejects both in every free-text field (SAFE_TEXT_PATTERN, see README "Security"); check_text_cells enforces the
# same rule on every string field at every load, whatever validated the package.
FORMULA_START = "=+-@\t\r"
# The controls themselves (not regex escapes), so Arrow's RE2 and Python's re read the same pattern; the descriptor
# writes them as JSON \u escapes.
BIDI_CONTROLS = "\u200e\u200f\u202a-\u202e\u2066-\u2069"
SAFE_TEXT_PATTERN = "[^=+\\-@\\t\\r" + BIDI_CONTROLS + "][^" + BIDI_CONTROLS + "]*"
_FORMULA_RE = re.compile(r"[=+\-@\t\r]")
_BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True)
class Snapshot:
    """The bytes of every file of the package, read once: what is hashed is exactly what is validated and loaded."""

    data_dir: Path
    descriptor: dict
    files: dict[str, bytes] = field(repr=False)  # resource path -> bytes (plus the descriptor itself)
    digest: str = ""


_STAT_HASHES: dict[tuple, str] = {}  # stat key of the whole folder -> content digest (see fingerprint)
_STAT_LOCK = threading.Lock()


RECHECK_S = 1.0  # how often the running app looks at the data folder for a change
_LAST_SCAN: dict[str, tuple[float, str]] = {}  # data folder -> (monotonic time of the scan, digest)


def fingerprint(data_dir: Path = DATA_DIR, max_age: float | None = None) -> str:
    """The sha256 of the package's content: the key the running app reloads on.

    The folder is looked at once per RECHECK_S seconds per process, not on every run: listing and stat-ing every
    file took about a fifth of a page view's server time with twenty sessions (py-spy). A change is picked up by
    the first run after that interval; max_age=0 forces a look now.

    Hashing every byte on every rerun would cost too much at scale, so the digest is remembered per stat key (name,
    size, mtime_ns, inode and ctime_ns of each file). ctime cannot be set back by `cp -p`, `rsync -t` or `tar x`, so an
    edit that keeps size and mtime still changes the key and the bytes are hashed again; a touch that changes no
    byte gives the same digest and no reload.
    """
    data_dir = Path(data_dir)
    max_age = RECHECK_S if max_age is None else max_age
    seen = _LAST_SCAN.get(str(data_dir))
    if seen is not None and time.monotonic() - seen[0] < max_age:
        return seen[1]
    scanned_at = time.monotonic()
    try:
        key = (str(data_dir), tuple(sorted(
            (str(p.relative_to(data_dir)), st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
            for p in data_dir.rglob("*") if p.is_file() for st in [p.stat()])))
    except OSError:
        raise DataError(str(data_dir), "the data folder is missing or cannot be read (was it moved or renamed?)") \
            from None
    with _STAT_LOCK:
        digest = _STAT_HASHES.get(key)
    if digest is None:
        digest = snapshot(data_dir).digest
        with _STAT_LOCK:
            if len(_STAT_HASHES) > 16:
                _STAT_HASHES.clear()
            _STAT_HASHES[key] = digest
    _LAST_SCAN[str(data_dir)] = (scanned_at, digest)
    return digest


def load(data_dir: Path | str = DATA_DIR) -> Dataset:
    """Validate the package, then read every table with the types its schema declares, from one read of the bytes."""
    snap = snapshot(Path(data_dir))
    _validate_once(snap)
    tables = {}
    for res in snap.descriptor["resources"]:
        if res.get("profile") == "tabular-data-resource":
            tables[res["name"]] = _read_table(res, snap.files[res["path"]])
    bnd = next((r["path"] for r in snap.descriptor["resources"] if r["name"] == "boundaries"), "boundaries.geojson")
    boundaries = load_boundaries(snap.data_dir / bnd, snap.files.get(bnd))
    return Dataset(tables=tables, boundaries=boundaries, descriptor=snap.descriptor, digest=snap.digest,
                   data_dir=snap.data_dir)


def descriptor_text(descriptor: dict) -> str:
    """The descriptor as datapackage.json is written: 2-space indent, UTF-8 kept, bidi controls as \\u escapes (the
    text guard's pattern holds them, and a raw control would reorder what an editor shows)."""
    text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    return _BIDI_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def snapshot(data_dir: Path) -> Snapshot:
    """Read the descriptor, check it is one the dashboard can use, then read every file once (UTF-8 checked)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(str(data_dir), "the data folder is missing (was it moved or renamed?)")
    raw_desc = _read_bytes(data_dir, DESCRIPTOR, f"the data package descriptor is missing from {data_dir}")
    descriptor = _parse_descriptor(raw_desc)
    check_descriptor(descriptor, data_dir)
    files = {DESCRIPTOR: raw_desc}
    # frictionless guesses encodings from a sample; a stray byte deep in a file must still be caught and located.
    digest = hashlib.sha256(raw_desc)
    for res in descriptor["resources"]:
        raw = _read_bytes(data_dir, res["path"], "the file is missing")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise DataError(res["path"], f"bytes that are not UTF-8 at byte {exc.start}", row=line) from None
        files[res["path"]] = raw
        digest.update(res["path"].encode() + b"\0" + raw + b"\0")
    return Snapshot(data_dir=data_dir, descriptor=descriptor, files=files, digest=digest.hexdigest())


def _read_bytes(data_dir: Path, rel: str, missing: str) -> bytes:
    try:
        return (data_dir / rel).read_bytes()
    except FileNotFoundError:
        if not data_dir.is_dir():
            raise DataError(str(data_dir), "the data folder is missing (was it moved or renamed?)") from None
        raise DataError(rel, missing) from None
    except OSError as exc:
        raise DataError(rel, f"the file cannot be read ({exc.strerror or exc})") from None


def _parse_descriptor(raw: bytes) -> dict:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(DESCRIPTOR, f"not valid JSON ({exc})") from None
    except RecursionError:
        raise DataError(DESCRIPTOR, "not valid JSON (nested too deeply)") from None


def check_descriptor(descriptor, data_dir: Path) -> None:
    """The descriptor's shape, checked before frictionless or pandas touch it: each problem a DataError on it."""

    def bad(message: str, where: str | None = None):
        raise DataError(DESCRIPTOR, message, field=where)

    if not isinstance(descriptor, dict):
        bad("the descriptor must be a JSON object")
    created = descriptor.get("created")
    if created is not None and not (isinstance(created, str) and re.match(r"\d{4}-\d{2}-\d{2}", created)):
        bad(f"'created' must be a date written as text, like \"2026-11-22T00:00:00Z\" (found {created!r:.60})",
            "created")
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        bad("'resources' must be a list of the package's files (found "
            f"{'an empty list' if resources == [] else type(resources).__name__})", "resources")
    root = data_dir.resolve()
    names = set()
    for i, res in enumerate(resources):
        where = f"resources[{i}]"
        if not isinstance(res, dict):
            bad("each resource must be a JSON object", where)
        name = res.get("name")
        if not isinstance(name, str) or not name:
            bad("the resource has no name", f"{where}.name")
        if name in names:
            bad(f"two resources are named '{name}'", f"{where}.name")
        names.add(name)
        path = res.get("path")
        if not isinstance(path, str) or not path:
            bad(f"resource '{name}' has no path (one file name inside the data folder)", f"{where}.path")
        target = (data_dir / path).resolve()
        if (Path(path).is_absolute() or "://" in path or "\\" in path or ".." in Path(path).parts
                or not target.is_relative_to(root)):
            bad(f"resource '{name}' has path {path!r:.80}, which leaves the data folder", f"{where}.path")
        if res.get("profile") != "tabular-data-resource":
            continue
        schema = res.get("schema")
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not fields:
            bad(f"resource '{name}' has no schema fields", f"{where}.schema.fields")
        for j, fld in enumerate(fields):
            fwhere = f"{where}.schema.fields[{j}]"
            if not isinstance(fld, dict) or not isinstance(fld.get("name"), str) or not fld["name"]:
                bad(f"a field of resource '{name}' has no name", fwhere)
            if fld.get("type", "string") not in FIELD_TYPES:
                bad(f"field '{fld['name']}' of resource '{name}' has type {fld.get('type')!r:.40}; the dashboard "
                    f"reads {', '.join(FIELD_TYPES)}", f"{fwhere}.type")
    missing = [t for t in (*TABLES, "boundaries") if t not in names]
    if missing:
        bad(f"the descriptor lists no resource named {', '.join(repr(m) for m in missing)}, which the dashboard needs",
            "resources")


def _validate_once(snap: Snapshot) -> None:
    """Validate with frictionless unless these exact bytes already passed the same frictionless version.

    Frictionless checks row by row in Python (16 s for 212,000 rows), so a server restart on unchanged data reuses
    the earlier pass. Only passes are remembered, by the sha256 of the bytes that were validated (the snapshot's,
    validated from a private copy, so a file swapped on disk meanwhile changes nothing); an entry counts only if it
    is well-formed and names that digest and this frictionless; anything unreadable is a miss, and entries are
    written atomically.
    """
    marker = CACHE_DIR / "validated" / f"{snap.digest}-frictionless-{frictionless.__version__}"
    if cache_entry_valid(marker, snap.digest):
        return
    with tempfile.TemporaryDirectory(prefix="dashboard-validate-") as tmp:
        for rel, raw in snap.files.items():
            dest = Path(tmp) / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(raw)
        from dashboard import validate  # vectorised schema checks (frictionless stays the CI reference, _validate)
        validate.check(Path(tmp), snap.descriptor)
    _record_pass(marker, snap)


def cache_entry_valid(marker: Path, digest: str) -> bool:
    """True only for an entry this code wrote for exactly these bytes and this frictionless."""
    try:
        entry = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(entry, dict) and entry.get("sha256") == digest
            and entry.get("frictionless") == frictionless.__version__ and entry.get("valid") is True)


def _record_pass(marker: Path, snap: Snapshot) -> None:
    entry = {"sha256": snap.digest, "frictionless": frictionless.__version__, "valid": True,
             "data_dir": str(snap.data_dir)}
    try:
        atomic_write(marker, json.dumps(entry).encode())
    except OSError:
        pass  # a cache that cannot be written only means validating next time


def atomic_write(path: Path, raw: bytes) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, then renamed over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_FK_FIELD = re.compile(r'for "([^"]+)"')


def _validate(data_dir: Path) -> None:
    report = frictionless.Package(str(data_dir / DESCRIPTOR)).validate()
    if report.valid:
        return
    for err in report.errors:  # package-level problems (descriptor) come first
        raise DataError(DESCRIPTOR, err.message)
    for task in report.tasks:
        for err in task.errors:
            fld = getattr(err, "field_name", None) or getattr(err, "label", None)
            if not fld and err.type == "foreign-key":
                m = _FK_FIELD.search(err.message)
                fld = m.group(1) if m else None
            raise DataError(Path(task.place).name, _plain(err), row=getattr(err, "row_number", None), field=fld)


# Frictionless error kinds in plain words, for a person fixing the file (dashboard.validate speaks the same).
PLAIN_KINDS = {
    "missing-label": "a column the schema requires is missing",
    "extra-label": "a column the schema does not describe",
    "blank-label": "a column has no name",
    "duplicate-label": "two columns share a name",
    "incorrect-label": "a column header differs from the schema",
    "primary-key": "duplicate key: this row repeats the identifier of an earlier row",
    "unique-error": "duplicate value in a column that must be unique",
    "foreign-key": "dangling reference: the value is not in the table it points to",
    "type-error": "the value has the wrong type",
    "constraint-error": "the value breaks a rule of the schema",
    "missing-cell": "the row has fewer cells than the header",
    "extra-cell": "the row has more cells than the header",
    "blank-row": "the row is empty",
    "encoding-error": "the file is not valid UTF-8",
    "source-error": "the file cannot be read",
    "scheme-error": "the file cannot be opened",
}


def _plain(err) -> str:
    """Frictionless messages, shortened to what a person fixing the file needs."""
    head = PLAIN_KINDS.get(err.type)
    cell = getattr(err, "cell", None)
    if err.type in ("type-error", "constraint-error") and isinstance(cell, str) and _not_finite(cell):
        return not_finite_message(cell)
    if err.type == "constraint-error" and isinstance(cell, str) and (_FORMULA_RE.match(cell) or _BIDI_RE.search(cell)):
        return unsafe_text_message(cell)
    detail = getattr(err, "note", "") or err.message
    if cell not in (None, "") and err.type in ("type-error", "constraint-error"):
        shown = cell if len(cell) <= 60 else cell[:57] + "..."
        detail = f"found {shown!r}; {detail}"
    return f"{head} ({detail})" if head else err.message


def _read_table(res: dict, raw: bytes) -> pd.DataFrame:
    fields = res["schema"]["fields"]
    file = res["path"]
    df = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False, encoding="utf-8")
    out = {}
    for f in fields:
        name = f["name"]
        if name not in df:
            raise DataError(file, "a column the schema requires is missing", field=name)
        col = df[name].mask(df[name] == "")
        kind = f.get("type", "string")
        if kind == "integer":
            out[name] = int64_column(col, file, name)
        elif kind == "number":
            out[name] = finite_column(col, file, name)
        elif kind == "date":
            out[name] = pd.to_datetime(col, format="%Y-%m-%d")
        elif kind == "boolean":
            out[name] = col.isin(["true", "True", "TRUE", "1"])
        else:
            check_text_cells(col, file, name)
            out[name] = col.astype(object).where(col.notna(), None)
    return pd.DataFrame(out)


def _row(col: pd.Series, mask) -> int:
    """The file's row number (the header is row 1) of the first cell where mask is true."""
    return int(col.index[mask.to_numpy(dtype=bool)][0]) + 2


def int64_column(col: pd.Series, file: str, name: str) -> pd.Series:
    """Whole numbers as pandas' Int64; one beyond what it can hold (±9.2e18) is a DataError, not an OverflowError."""
    present = col.dropna()
    for idx, cell in present[present.str.len() > 17].items():  # only long cells can overflow: checked exactly
        try:
            ok = INT64_MIN <= int(cell) <= INT64_MAX
        except ValueError:
            continue  # not a whole number at all: reported below
        if not ok:
            raise DataError(file, too_large_message(cell), row=idx + 2, field=name)
    parsed = pd.to_numeric(col, errors="coerce")
    wrong = col.notna() & (parsed.isna() | (parsed != parsed.round()))
    if wrong.any():
        raise DataError(file, f"found {col[wrong].iloc[0][:40]!r}: not a whole number", row=_row(col, wrong),
                        field=name)
    return pd.to_numeric(present, errors="coerce").astype("Int64").reindex(col.index)


def finite_column(col: pd.Series, file: str, name: str) -> pd.Series:
    """Numbers as float64; 'nan', 'inf' or one too large for a float (1e309) is a DataError, never 'inf cameras'."""
    parsed = pd.to_numeric(col, errors="coerce").astype("float64")
    wrong = col.notna() & ~np.isfinite(parsed.to_numpy())
    if wrong.any():
        raise DataError(file, not_finite_message(col[wrong].iloc[0]), row=_row(col, wrong), field=name)
    return parsed


def too_large_message(cell: str) -> str:
    return (f"found {cell[:40]!r}: a whole number too large for the dashboard to hold "
            "(the limit is 9,223,372,036,854,775,807)")


def not_finite_message(cell: str) -> str:
    return f"found {cell[:40]!r}: not a finite number (no nan, inf, or values beyond ±1.8e308)"


def _not_finite(cell: str) -> bool:
    try:
        return not math.isfinite(float(cell))
    except ValueError:
        return False


def check_text_cells(col: pd.Series, file: str, name: str) -> None:
    """No cell may start like a spreadsheet formula or carry an invisible direction control (see FORMULA_START)."""
    text = col.dropna()
    if text.empty:
        return
    formula = text.str.match(_FORMULA_RE.pattern)
    if formula.any():
        idx = text.index[formula.to_numpy(dtype=bool)][0]
        raise DataError(file, unsafe_text_message(text[idx]), row=int(idx) + 2, field=name)
    bidi = text.str.contains(_BIDI_RE.pattern, regex=True)
    if bidi.any():
        idx = text.index[bidi.to_numpy(dtype=bool)][0]
        raise DataError(file, unsafe_text_message(text[idx]), row=int(idx) + 2, field=name)


def unsafe_text_message(cell: str) -> str:
    """Plain words for a cell that SAFE_TEXT_PATTERN rejects."""
    found = _BIDI_RE.search(cell)
    if found:
        return (f"the text contains the invisible direction control U+{ord(found.group()):04X}, which reverses or "
                "reorders the text after it on screen; delete it")
    return (f"the text starts with {cell[0]!r}, so a spreadsheet opening the CSV would run it as a formula; "
            "reword it or start it with another character")


def load_boundaries(path: Path, raw_bytes: bytes | None = None) -> gpd.GeoDataFrame:
    """Read the boundaries GeoJSON (from raw_bytes when given); an empty, broken or keyless file is a DataError."""
    name = Path(path).name
    try:
        raw = json.loads(raw_bytes.decode("utf-8") if raw_bytes is not None else Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(name, "the file is missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(name, f"not valid JSON ({exc})") from None
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        raise DataError(name, "not a GeoJSON FeatureCollection")
    features = raw.get("features") or []
    if not features:
        raise DataError(name, "the FeatureCollection has no features")
    for i, feat in enumerate(features, start=1):
        props = (feat or {}).get("properties") or {}
        if not props.get("iso3"):
            raise DataError(name, "feature has no iso3 property", row=i, field="properties.iso3")
        if not (feat.get("geometry") or {}).get("coordinates"):
            raise DataError(name, "feature has no geometry", row=i, field="geometry")
    try:
        gdf = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    except Exception as exc:  # shapely raises many types for malformed coordinates
        raise DataError(name, f"geometry cannot be read ({exc})") from None
    bad = [i + 1 for i, ok in enumerate(gdf.geometry.is_valid) if not ok]
    if bad:
        raise DataError(name, "invalid geometry", row=bad[0], field="geometry")
    gdf.attrs["features"] = {f["properties"]["iso3"]: f for f in features}
    missing = BOUNDARY_KEYS - set(gdf["iso3"])
    if missing:
        raise DataError(name, f"features missing for {', '.join(sorted(missing))}", field="properties.iso3")
    return gdf
