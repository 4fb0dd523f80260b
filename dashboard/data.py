"""Load the cited data package into pandas, validate it against its own schema, and fail with one clear error."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import frictionless
import geopandas as gpd
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

    @property
    def boundary_features(self) -> dict[str, dict]:
        """GeoJSON features keyed by iso3, as plain dicts: what Plotly wants, without re-serialising each run."""
        return self.boundaries.attrs["features"]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def field_descriptions(self, table: str) -> dict[str, str]:
        res = next(r for r in self.descriptor["resources"] if r["name"] == table)
        return {f["name"]: f.get("description", "") for f in res["schema"]["fields"]}


def fingerprint(data_dir: Path = DATA_DIR) -> tuple:
    """Names, sizes and modification times of the data files: a cache key that changes when any file does."""
    data_dir = Path(data_dir)
    return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in data_dir.iterdir() if p.is_file()))


def load(data_dir: Path | str = DATA_DIR) -> Dataset:
    """Validate the package with frictionless, then read every table with the types its schema declares."""
    data_dir = Path(data_dir)
    descriptor = _read_descriptor(data_dir)
    digest = _check_encoding(data_dir, descriptor)
    _validate_once(data_dir, digest)
    tables = {}
    for res in descriptor["resources"]:
        if res.get("profile") == "tabular-data-resource":
            tables[res["name"]] = _read_table(data_dir, res)
    boundaries = load_boundaries(data_dir / "boundaries.geojson")
    return Dataset(tables=tables, boundaries=boundaries, descriptor=descriptor)


def _read_descriptor(data_dir: Path) -> dict:
    path = data_dir / DESCRIPTOR
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(DESCRIPTOR, f"the data package descriptor is missing from {data_dir}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(DESCRIPTOR, f"not valid JSON ({exc})") from None


def _check_encoding(data_dir: Path, descriptor: dict) -> str:
    """Every file must be UTF-8; returns the sha256 of the descriptor and every resource, in descriptor order."""
    # frictionless guesses encodings from a sample; a stray byte deep in a file must still be caught and located.
    digest = hashlib.sha256((data_dir / DESCRIPTOR).read_bytes())
    for res in descriptor["resources"]:
        path = data_dir / res["path"]
        if not path.exists():
            raise DataError(res["path"], "the file is missing")
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise DataError(res["path"], f"bytes that are not UTF-8 at byte {exc.start}", row=line) from None
        digest.update(res["path"].encode() + b"\0" + raw + b"\0")
    return digest.hexdigest()


def _validate_once(data_dir: Path, digest: str) -> None:
    """Validate with frictionless unless these exact bytes already passed the same frictionless version.

    Frictionless checks row by row in Python (16 s for 212,000 rows), so a server restart on unchanged data reuses
    the earlier pass. Only passes are remembered, keyed by content (not by file dates), so any changed byte, or a
    new frictionless, validates again; a cache that cannot be read or written just means validating.
    """
    marker = CACHE_DIR / "validated" / f"{digest}-frictionless-{frictionless.__version__}"
    if marker.exists():
        return
    from dashboard import validate  # vectorised schema checks (frictionless stays the CI reference, _validate)
    validate.check(data_dir)
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(f"{data_dir}\n")
    except OSError:
        pass


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


def _plain(err) -> str:
    """Frictionless messages, shortened to what a person fixing the file needs."""
    kinds = {
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
    head = kinds.get(err.type)
    detail = getattr(err, "note", "") or err.message
    cell = getattr(err, "cell", None)
    if cell not in (None, "") and err.type in ("type-error", "constraint-error"):
        shown = cell if len(cell) <= 60 else cell[:57] + "..."
        detail = f"found {shown!r}; {detail}"
    return f"{head} ({detail})" if head else err.message


def _read_table(data_dir: Path, res: dict) -> pd.DataFrame:
    fields = res["schema"]["fields"]
    df = pd.read_csv(data_dir / res["path"], dtype=str, keep_default_na=False, encoding="utf-8")
    out = {}
    for f in fields:
        col = df[f["name"]].mask(df[f["name"]] == "")
        kind = f["type"]
        if kind == "integer":
            out[f["name"]] = pd.to_numeric(col).astype("Int64")
        elif kind == "number":
            out[f["name"]] = pd.to_numeric(col).astype("float64")
        elif kind == "date":
            out[f["name"]] = pd.to_datetime(col, format="%Y-%m-%d")
        elif kind == "boolean":
            out[f["name"]] = col.isin(["true", "True", "TRUE", "1"])
        else:
            out[f["name"]] = col.astype(object).where(col.notna(), None)
    return pd.DataFrame(out)


def load_boundaries(path: Path) -> gpd.GeoDataFrame:
    """Read the boundaries GeoJSON; an empty, broken or keyless file is a DataError, not a crash later in a map."""
    name = Path(path).name
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
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
