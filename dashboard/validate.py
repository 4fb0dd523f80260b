"""Validate a data package against its datapackage.json with vectorised Arrow checks: `python -m dashboard.validate`."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dashboard.data import (
    DESCRIPTOR,
    INT64_MAX,
    INT64_MIN,
    PLAIN_KINDS,
    SAFE_TEXT_PATTERN,
    DataError,
    not_finite_message,
    too_large_message,
    unsafe_text_message,
)

# The same plain headings as the app's frictionless messages, so a reader sees one vocabulary.
KINDS = PLAIN_KINDS
# Frictionless's lexical forms (Table Schema defaults): integers without separators, numbers with an optional
# exponent or NaN/INF, booleans from the default true/false lists.
INTEGER = r"^[+-]?[0-9]+$"
NUMBER = r"^([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?(NaN|INF|Infinity|inf|nan))$"
TRUE, FALSE = ["true", "True", "TRUE", "1"], ["false", "False", "FALSE", "0"]
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
URI = r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$"


@dataclass(order=True)
class Problem:
    """One failed check: where it first fails (row order, then the order frictionless reports in) and how often."""

    row: int
    rank: int  # within a row: cells left to right, then the row's keys
    message: str
    file: str = ""
    field: str | None = None
    count: int = 1

    def error(self) -> DataError:
        more = f" (and {self.count - 1:,} more rows)" if self.count > 1 else ""
        return DataError(self.file, self.message + more, row=self.row or None, field=self.field)


def _detail(kind: str, found: str | None, why: str) -> str:
    if found is not None:
        shown = found if len(found) <= 60 else found[:57] + "..."
        why = f"found {shown!r}; {why}"
    return f"{KINDS[kind]} ({why})"


def _first(mask, col: pa.Array | None = None) -> tuple[int, int, str | None] | None:
    """(index, count, value) of the first True in a boolean array, or None when there is none."""
    m = np.asarray(pc.fill_null(mask, False)) if not isinstance(mask, np.ndarray) else mask
    hits = np.flatnonzero(m)
    if not hits.size:
        return None
    i = int(hits[0])
    return i, int(hits.size), (None if col is None else col[i].as_py())


def _as_list(v) -> list[str]:
    return [v] if isinstance(v, str) else list(v or [])


class Table:
    """One CSV resource read as strings by Arrow, with its schema, ready for column-wise checks."""

    def __init__(self, data_dir: Path, res: dict):
        self.res, self.name, self.file = res, res["name"], res["path"]
        self.fields = res["schema"]["fields"]
        self.missing = set(res["schema"].get("missingValues", [""]))
        self.problems: list[Problem] = []
        self.columns: dict[str, pa.Array] = {}
        self.nulls: dict[str, np.ndarray] = {}
        self.n = 0
        self._read(Path(data_dir) / self.file)

    def add(self, row: int, rank: int, kind: str, found, why: str, field: str | None = None, count: int = 1):
        self.problems.append(Problem(row, rank, _detail(kind, found, why), self.file, field, count))

    def _read(self, path: Path) -> None:
        raw = path.read_bytes()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.problems.append(Problem(line, 0, f"bytes that are not UTF-8 at byte {exc.start}", self.file))
            return
        try:  # the header record only (csv reads lazily, so a broken row further down cannot hide it)
            labels = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))), [])
        except csv.Error as exc:
            self.add(0, 0, "source-error", None, str(exc))
            return
        names = [f["name"] for f in self.fields]
        for i, name in enumerate(names):  # frictionless compares the header with the schema position by position
            if i >= len(labels):
                self.add(0, i, "missing-label", None, f"the schema's field {i + 1} is {name!r}", name)
            elif labels[i] != name:
                kind = "blank-label" if not labels[i] or labels[i].startswith("Unnamed:") else "incorrect-label"
                self.add(0, i, kind, labels[i], f"the schema's field {i + 1} is {name!r}", name)
        for i in range(len(names), len(labels)):
            self.add(0, i, "extra-label", None, f"column {i + 1}, {labels[i]!r}", labels[i])
        if self.problems:
            return
        bad_rows: list = []

        def on_invalid(row) -> str:
            bad_rows.append(row)
            return "skip"

        try:
            tbl = pacsv.read_csv(
                pa.BufferReader(raw),
                read_options=pacsv.ReadOptions(use_threads=True),
                parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in labels},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False))
        except pa.ArrowInvalid as exc:
            self.add(0, 0, "source-error", None, str(exc).splitlines()[0])
            return
        for row in bad_rows[:1]:
            kind = "missing-cell" if row.actual_columns < row.expected_columns else "extra-cell"
            self.add(row.number or 0, 0, kind, None,
                     f"{row.actual_columns} cells, the header has {row.expected_columns}", count=len(bad_rows))
        self.n = tbl.num_rows
        for f in self.fields:
            col = tbl.column(f["name"]).combine_chunks()
            self.columns[f["name"]] = col
            self.nulls[f["name"]] = np.asarray(pc.is_in(col, value_set=pa.array(sorted(self.missing), pa.string())))

    # Rows are numbered as frictionless does: the header is row 1, so the first record is row 2.
    def check_cells(self) -> None:
        if not self.columns:
            return
        pk = set(_as_list(self.res["schema"].get("primaryKey")))
        blank = np.logical_and.reduce([self.nulls[f["name"]] for f in self.fields])
        hit = _first(blank)
        if hit:
            self.add(hit[0] + 2, -1, "blank-row", None, "every cell is empty", count=hit[1])
        for rank, f in enumerate(self.fields):
            self._check_field(rank, f, f["name"] in pk)

    def _check_field(self, rank: int, f: dict, in_pk: bool) -> None:
        name, kind, fmt = f["name"], f.get("type", "string"), f.get("format", "default")
        col, null = self.columns[name], self.nulls[name]
        cons = f.get("constraints") or {}
        present = ~null

        def fail(mask, why, rule="constraint-error"):
            hit = _first(mask & present if rule != "required" else mask, col)
            if hit:
                self.add(hit[0] + 2, rank, "constraint-error" if rule == "required" else rule,
                         None if rule == "required" else hit[2], why, name, hit[1])

        if cons.get("required") or in_pk:
            fail(null, "a value is required here", rule="required")
        typed, lexical = col, None
        if kind == "integer":
            lexical = pc.match_substring_regex(col, INTEGER)
        elif kind == "number":
            lexical = pc.match_substring_regex(col, NUMBER)
        elif kind == "boolean":
            lexical = pc.is_in(col, value_set=pa.array(TRUE + FALSE))
        elif kind == "date":
            pattern = "%Y-%m-%d" if fmt in ("default", None) else fmt
            parsed = pc.strptime(col, format=pattern, unit="s", error_is_null=True)
            lexical = pc.is_valid(parsed)
            if fmt in ("default", None):
                lexical = pc.and_(lexical, pc.match_substring_regex(col, DATE))
        elif kind == "string" and fmt == "uri":
            lexical = pc.match_substring_regex(col, URI)
        if lexical is not None:
            bad = ~np.asarray(pc.fill_null(lexical, False)) & present
            hit = _first(bad, col)
            if hit:
                why = f"not {'an' if kind[0] in 'aeiou' else 'a'} {kind}"
                if fmt not in ("default", None):
                    why += f" in format {fmt}"
                self.add(hit[0] + 2, rank, "type-error", hit[2], why, name, hit[1])
            ok = present & ~bad
        else:
            ok = present
        if kind == "integer":  # beyond int64 pandas cannot hold it (and Arrow's cast would raise): say so
            ok = self._beyond_int64(col, ok, rank, name)
        if kind in ("integer", "number"):
            safe = pc.if_else(pa.array(ok), col, pa.scalar("0"))
            typed = pc.cast(safe, pa.float64() if kind == "number" else pa.int64())
        if kind == "number":  # nan, inf, 1e309: no figure on screen may read "inf cameras"
            values = typed.to_numpy(zero_copy_only=False)
            hit = _first(~np.isfinite(values) & ok, col)
            if hit:
                self.problems.append(Problem(hit[0] + 2, rank, not_finite_message(hit[2]), self.file, name, hit[1]))
                ok = ok & np.isfinite(values)
                typed = pc.cast(pc.if_else(pa.array(ok), col, pa.scalar("0")), pa.float64())
        elif kind == "date":
            typed = pc.strptime(pc.if_else(pa.array(ok), col, pa.scalar("1970-01-01")),
                                format="%Y-%m-%d" if fmt in ("default", None) else fmt, unit="s")
        elif kind == "boolean":
            typed = pc.is_in(col, value_set=pa.array(TRUE))

        def rule(mask, why):
            hit = _first(np.asarray(pc.fill_null(mask, False)) & ok, col)
            if hit:
                self.add(hit[0] + 2, rank, "constraint-error", hit[2], why, name, hit[1])

        if "enum" in cons:
            allowed = pa.array([str(v) if kind == "string" else v for v in cons["enum"]]).cast(typed.type)
            rule(pc.invert(pc.is_in(typed, value_set=allowed)), f"must be one of {', '.join(map(str, cons['enum']))}")
        # NaN is below no minimum and above no maximum, so (as for frictionless) it meets neither
        unordered = pc.is_nan(typed) if pa.types.is_floating(typed.type) else None
        if "minimum" in cons:
            lo = cons["minimum"]
            lo_v = pa.scalar(lo).cast(typed.type) if kind != "date" else pc.strptime(pa.scalar(lo), "%Y-%m-%d", "s")
            below = pc.less(typed, lo_v)
            rule(below if unordered is None else pc.or_(below, unordered), f"the minimum is {lo}")
        if "maximum" in cons:
            hi = cons["maximum"]
            hi_v = pa.scalar(hi).cast(typed.type) if kind != "date" else pc.strptime(pa.scalar(hi), "%Y-%m-%d", "s")
            above = pc.greater(typed, hi_v)
            rule(above if unordered is None else pc.or_(above, unordered), f"the maximum is {hi}")
        if "minLength" in cons:
            rule(pc.less(pc.utf8_length(col), cons["minLength"]), f"at least {cons['minLength']} characters")
        if "maxLength" in cons:
            rule(pc.greater(pc.utf8_length(col), cons["maxLength"]), f"at most {cons['maxLength']} characters")
        if "pattern" in cons:
            try:
                matches = pc.match_substring_regex(col, f"^(?:{cons['pattern']})$")
            except pa.ArrowInvalid:  # beyond RE2 (lookarounds, backreferences): Python's re, slower
                matches = pa.array(pd.Series(np.asarray(col, dtype=object)).str.fullmatch(cons["pattern"]))
            if cons["pattern"] == SAFE_TEXT_PATTERN:  # the formula and bidi guard: say what is wrong in words
                hit = _first(np.asarray(pc.fill_null(pc.invert(matches), False)) & ok, col)
                if hit:
                    self.problems.append(Problem(hit[0] + 2, rank, unsafe_text_message(hit[2]), self.file, name,
                                                 hit[1]))
            else:
                rule(pc.invert(matches), f"must match {cons['pattern']}")
        if cons.get("unique"):
            dup = pd.Series(np.asarray(col, dtype=object)).duplicated().to_numpy() & ok
            hit = _first(dup, col)
            if hit:
                self.add(hit[0] + 2, rank, "unique-error", hit[2], "the same value is in an earlier row", name, hit[1])

    def _beyond_int64(self, col: pa.Array, ok: np.ndarray, rank: int, name: str) -> np.ndarray:
        """ok without the whole numbers too large for int64, each reported once as the loader words it."""
        long = np.asarray(pc.fill_null(pc.greater(pc.utf8_length(col), 18), False)) & ok
        over = np.zeros(len(ok), dtype=bool)
        for i in np.flatnonzero(long):
            over[i] = not INT64_MIN <= int(col[i].as_py()) <= INT64_MAX
        hit = _first(over, col)
        if hit:
            self.problems.append(Problem(hit[0] + 2, rank, too_large_message(hit[2]), self.file, name, hit[1]))
        return ok & ~over

    def key(self, fields: list[str]) -> tuple[np.ndarray, pd.Series | pd.DataFrame]:
        """(rows where every key field has a value, the key values) for a primary or foreign key."""
        present = np.logical_and.reduce([~self.nulls[f] for f in fields])
        values = pd.DataFrame({f: np.asarray(self.columns[f], dtype=object) for f in fields})
        return present, values

    def check_primary_key(self) -> None:
        pk = _as_list(self.res["schema"].get("primaryKey"))
        if not pk or not self.columns:
            return
        present, values = self.key(pk)
        dup = values.duplicated().to_numpy() & present
        hit = _first(dup)
        if hit:
            found = ", ".join(str(values.iloc[hit[0]][f]) for f in pk)
            self.add(hit[0] + 2, len(self.fields), "primary-key", found, f"{' + '.join(pk)} must be unique",
                     pk[0] if len(pk) == 1 else None, hit[1])

    def check_foreign_keys(self, tables: dict[str, Table]) -> None:
        for i, fk in enumerate(self.res["schema"].get("foreignKeys", [])):
            fields, ref = _as_list(fk["fields"]), fk["reference"]
            parent = tables.get(ref["resource"] or self.name)
            if parent is None or not parent.columns or not self.columns:
                continue
            if len(fields) == 1:
                col = self.columns[fields[0]]
                known = pc.is_in(col, value_set=parent.columns[_as_list(ref["fields"])[0]])
                missing = ~np.asarray(known) & ~self.nulls[fields[0]]
                values = None
            else:
                present, values = self.key(fields)
                index = pd.MultiIndex.from_frame(parent.key(_as_list(ref["fields"]))[1])
                missing = ~pd.MultiIndex.from_frame(values).isin(index) & present
            hit = _first(missing)
            if hit:
                found = (str(col[hit[0]]) if values is None else
                         ", ".join(str(values.iloc[hit[0]][f]) for f in fields))
                self.add(hit[0] + 2, len(self.fields) + 1 + i, "foreign-key", found,
                         f"no {', '.join(_as_list(ref['fields']))} in {parent.file} has this value", fields[0], hit[1])


KNOWN_TYPES = {"string", "integer", "number", "date", "boolean", "any"}


def _shape(data_dir: Path, descriptor) -> list[Problem]:
    """What the checks below rely on: a list of resources, each with a path inside the folder and a field list."""
    def bad(where: str, why: str) -> list[Problem]:
        return [Problem(0, 0, f"{where} {why}", DESCRIPTOR)]

    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not resources:
        return bad("'resources'", "must be a non-empty list")
    for i, res in enumerate(resources):
        if not isinstance(res, dict) or not isinstance(res.get("path"), str):
            return bad(f"resources[{i}]", "has no path")
        path = res["path"]
        if "://" in path or Path(path).is_absolute() or ".." in Path(path).parts:
            return bad(f"resources[{i}].path", f"{path!r} leaves the data folder")
        if res.get("profile") != "tabular-data-resource":
            continue
        fields = res.get("schema", {}).get("fields") if isinstance(res.get("schema"), dict) else None
        if not isinstance(fields, list) or not all(isinstance(f, dict) and "name" in f for f in fields):
            return bad(f"resources[{i}].schema.fields", "must be a list of fields with names")
        for j, f in enumerate(fields):
            if f.get("type", "string") not in KNOWN_TYPES:
                return bad(f"resources[{i}].schema.fields[{j}].type", f"{f['type']!r} is not checked here")
    return []


def problems(data_dir: Path | str, descriptor: dict | None = None) -> list[Problem]:
    """Every failed check of the package's tables, each with its first row and count, in descriptor order."""
    data_dir = Path(data_dir)
    if descriptor is None:
        try:
            descriptor = json.loads((data_dir / DESCRIPTOR).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return [Problem(0, 0, f"the data package descriptor is missing from {data_dir}", DESCRIPTOR)]
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return [Problem(0, 0, f"not valid JSON ({exc})", DESCRIPTOR)]
    shape = _shape(data_dir, descriptor)
    if shape:
        return shape
    tables: dict[str, Table] = {}
    out: list[Problem] = []
    for res in descriptor.get("resources", []):
        if res.get("profile") != "tabular-data-resource":
            continue
        path = data_dir / res["path"]
        if not path.exists():
            out.append(Problem(0, 0, "the file is missing", res["path"]))
            continue
        t = Table(data_dir, res)
        t.check_cells()
        t.check_primary_key()
        tables[res["name"]] = t
    for t in tables.values():
        t.check_foreign_keys(tables)
    order = {r.get("path"): i for i, r in enumerate(descriptor.get("resources", []))}
    for t in tables.values():
        out += sorted(t.problems)
    return sorted(out, key=lambda p: order.get(p.file, -1))  # stable: each file keeps its row order


def check(data_dir: Path | str, descriptor: dict | None = None) -> None:
    """Raise the package's first problem as a DataError (what the app shows), or return when the tables are valid."""
    found = problems(data_dir, descriptor)
    if found:
        raise found[0].error()


def main(argv: list[str] | None = None) -> int:
    from dashboard import data

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("data_dir", nargs="?", type=Path, default=data.DATA_DIR)
    a = ap.parse_args(argv)
    t = time.perf_counter()
    found = problems(a.data_dir)
    if not any(p.file == DESCRIPTOR for p in found):
        try:
            data.load_boundaries(a.data_dir / "boundaries.geojson")
        except DataError as err:
            found.append(Problem(err.row or 0, 0, err.message, err.file, err.field))
    for p in found:
        print(p.error())
    took = time.perf_counter() - t
    if found:
        print(f"{a.data_dir}: {len(found)} problem(s) ({took:.1f} s)", file=sys.stderr)
        return 1
    print(f"{a.data_dir}: valid ({took:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
