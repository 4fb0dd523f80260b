"""Scale every table of the data package by a factor, keeping keys unique and every reference valid.

Usage: python -m benchmarks.synth --factor 1000 --out /tmp/data-1000x

Replica 0 is the real data unchanged (so the pages' defaults and URL values such as ``hikvision`` or ``KAZ`` still
exist); replica k >= 1 appends ``-s<k>`` to every identifier and every reference, so each replica points only into
itself. Country codes must match ^[A-Z]{3}$, so each replica's codes are mapped to fresh, unused three-letter codes,
the same way in every table. boundaries.geojson and datapackage.json are copied unchanged.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import string
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ISO3_TABLE, ISO3_FIELD = "countries", "iso3"


def _as_list(v) -> list[str]:
    return [v] if isinstance(v, str) else list(v or [])


def _key_fields(res: dict) -> tuple[set[str], set[str]]:
    """(fields that hold identifiers to suffix, fields that hold country codes to remap) for one resource."""
    schema = res["schema"]
    ids: set[str] = set(_as_list(schema.get("primaryKey")))
    iso: set[str] = set()
    ids |= {f["name"] for f in schema["fields"] if (f.get("constraints") or {}).get("unique")}
    for fk in schema.get("foreignKeys", []):
        target = fk["reference"]["resource"] or res["name"]  # "" is a reference into the same table
        fields = _as_list(fk["fields"])
        if target == ISO3_TABLE and _as_list(fk["reference"]["fields"]) == [ISO3_FIELD]:
            iso |= set(fields)
        else:
            ids |= set(fields)
    if res["name"] == ISO3_TABLE:
        iso.add(ISO3_FIELD)
        ids.discard(ISO3_FIELD)
    # any other field constrained to a country code is remapped too, so replicas never share a code by accident
    iso |= {f["name"] for f in schema["fields"] if (f.get("constraints") or {}).get("pattern") == "^[A-Z]{3}$"}
    return ids - iso, iso


def _iso3_maps(real: list[str], factor: int) -> list[dict[str, str]]:
    """One {real code: fresh code} map per replica; replica 0 is the identity. Codes are never reused."""
    used = set(real)
    pool = ("".join(t) for t in itertools.product(string.ascii_uppercase, repeat=3))
    free = (c for c in pool if c not in used)
    need = len(real) * (factor - 1)
    if need > 26**3 - len(used):
        raise SystemExit(f"factor {factor} needs {need} fresh country codes; only {26**3 - len(used)} exist")
    maps = [{c: c for c in real}]
    for _ in range(1, factor):
        maps.append({c: next(free) for c in real})
    return maps


def generate(factor: int, out: Path, src: Path = DATA) -> dict[str, int]:
    """Write the scaled package into out/ and return the row count of each table."""
    if factor < 1:
        raise ValueError("factor must be >= 1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    descriptor = json.loads((src / "datapackage.json").read_text(encoding="utf-8"))
    tabular = [r for r in descriptor["resources"] if r.get("profile") == "tabular-data-resource"]
    frames = {r["name"]: pd.read_csv(src / r["path"], dtype=str, keep_default_na=False, encoding="utf-8")
              for r in tabular}
    # replica number of each output row, and each replica's code map as a matrix, so scaling is vectorised
    real = sorted(frames[ISO3_TABLE][ISO3_FIELD])
    maps = _iso3_maps(real, factor)
    code_matrix = np.array([[m[c] for c in real] for m in maps], dtype=object)
    counts = {}
    for res in tabular:
        df = frames[res["name"]]
        ids, iso = _key_fields(res)
        n = len(df)
        big = pd.concat([df] * factor, ignore_index=True)
        replica = np.repeat(np.arange(factor), n)
        suffix = pd.Series(np.where(replica == 0, "", "-s" + replica.astype(str).astype(object)), dtype=object)
        for col in ids:
            big[col] = big[col].where(big[col] == "", big[col] + suffix)  # empty = no reference; keep it empty
        for col in iso:
            idx = pd.Index(real).get_indexer(big[col])  # -1 for a code outside countries (left as is)
            mapped = code_matrix[replica, np.maximum(idx, 0)]
            big[col] = np.where(idx >= 0, mapped, big[col].to_numpy(dtype=object))
        big.to_csv(out / res["path"], index=False, encoding="utf-8", lineterminator="\n")
        counts[res["name"]] = len(big)
    for res in descriptor["resources"]:
        if res not in tabular:
            shutil.copy2(src / res["path"], out / res["path"])
    shutil.copy2(src / "datapackage.json", out / "datapackage.json")
    return counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--factor", type=int, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--validate", action="store_true", help="then validate the result with dashboard.data.load")
    a = p.parse_args(argv)
    counts = generate(a.factor, a.out)
    print(f"wrote {sum(counts.values())} rows in {len(counts)} tables to {a.out}")
    if a.validate:
        from dashboard.data import load

        load(a.out)
        print("valid")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
