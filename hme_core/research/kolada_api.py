"""Kolada's API: read its JSON answers and download HME benchmarks.

Kolada (kolada.se, RKA) answers `GET <base>/data/kpi/<KPI>/year/<YEAR>` (all municipalities
and regions) or `.../kpi/<KPI>/municipality/<IDs>/year/<YEAR>` with pages of

    {"values": [{"kpi": "U60200", "municipality": "0001", "period": 2024,
                 "values": [{"gender": "T", "count": 1, "status": "", "value": 78.0}, ...]}],
     "count": 1, "next_url": "<the next page, absent or empty on the last>"}

API v3 (current) pages with `next_url`; v2 (reported shut down; old downloads still exist) has
the same records and pages with `next_page`. Gender is T (total), K (women), M (men); a value
Kolada does not publish is `null` (kept as NaN, never guessed). Records become the flat shape
of `kolada.COLUMNS` (municipality name = id unless `names` gives it).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.errors import HMEError, InputError, InputIssue
from hme_core.research.kolada import COLUMNS, GENDERS, INDEX_OF_KPI, KIND_OF_KPI

API_V3 = "https://api.kolada.se/v3"
TIMEOUT = 30.0  # seconds per page
MAX_PAGES = 1000


def records_to_frame(records: Iterable[Mapping], names: Mapping[str, str] | None = None,
                     source: str = "Kolada JSON") -> pd.DataFrame:
    """Kolada data records (v2 or v3) -> one row per (municipality, year, kpi, gender).

    Only HME KPIs (`kolada.KIND_OF_KPI`) and genders T/K/M are kept; a record without
    `kpi`, `municipality` or `period` is an error naming the record and the field.
    """
    rows, issues = [], []
    for i, rec in enumerate(records, start=1):
        missing = [k for k in ("kpi", "municipality", "period") if rec.get(k) in (None, "")]
        if missing:
            issues.append(InputIssue(source, i, missing[0], None,
                                     "a Kolada data record with kpi, municipality and period"))
            continue
        if rec["kpi"] not in KIND_OF_KPI:
            continue
        mid = str(rec["municipality"]).zfill(4)
        for v in rec.get("values") or []:
            if v.get("gender") not in GENDERS:
                continue
            value = v.get("value")
            rows.append([mid, (names or {}).get(mid, mid), int(rec["period"]), rec["kpi"],
                         v["gender"], float(value) if value is not None else np.nan])
    if issues:
        raise InputError(issues)
    out = pd.DataFrame(rows, columns=COLUMNS).astype({"municipality_id": "string"})
    out["kind"] = out["kpi"].map(KIND_OF_KPI)
    out["index"] = out["kpi"].map(INDEX_OF_KPI)
    return out.sort_values(["year", "kpi", "municipality_id", "gender"]).reset_index(drop=True)


def next_page(doc: Mapping) -> str | None:
    """The URL of the next page: v3 `next_url`, v2 `next_page`; None on the last page."""
    return doc.get("next_url") or doc.get("next_page") or None


def read_kolada_json(path: str | Path) -> pd.DataFrame:
    """A saved Kolada answer: one page (a JSON object), or a list of pages."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise HMEError(f"{path}: not a Kolada JSON file ({exc}); save the API's answer as is") from exc
    pages = doc if isinstance(doc, list) else [doc]
    if not all(isinstance(p, dict) and isinstance(p.get("values"), list) for p in pages):
        raise HMEError(f"{path}: expected Kolada's JSON with a 'values' list (API v2 or v3)")
    return records_to_frame([r for p in pages for r in p["values"]], source=str(path))


def data_url(kpi: str, year: int | Sequence[int], ids: Sequence[str] = (), base: str = API_V3) -> str:
    """The data URL of one KPI and year(s), for all or the given municipality/region ids.

    >>> data_url("U60200", 2024)
    'https://api.kolada.se/v3/data/kpi/U60200/year/2024'
    >>> data_url("U60200", [2023, 2024], ["0001", "0003"], "http://127.0.0.1:8000/v3")
    'http://127.0.0.1:8000/v3/data/kpi/U60200/municipality/0001,0003/year/2023,2024'
    """
    years = ",".join(str(y) for y in ([year] if isinstance(year, int) else year))
    where = f"/municipality/{','.join(ids)}" if ids else ""
    return f"{base.rstrip('/')}/data/kpi/{kpi}{where}/year/{years}"


def fetch_pages(url: str, timeout: float = TIMEOUT) -> list[dict]:
    """GET `url` and every following page; a clear HMEError when offline or on a bad answer."""
    pages: list[dict] = []
    seen = set()
    while url and len(pages) < MAX_PAGES and url not in seen:
        seen.add(url)
        try:
            with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 - http(s) only
                doc = json.loads(answer.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise HMEError(f"Kolada answered {exc.code} {exc.reason} for {url}; check the KPI "
                           "(U60200-U60203 regions, U00200-U00203 municipalities) and year") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise HMEError(f"could not reach Kolada at {url} ({exc}); check the network, or "
                           "download the JSON in a browser and read it with --benchmark FILE") from exc
        except json.JSONDecodeError as exc:
            raise HMEError(f"Kolada's answer from {url} is not JSON ({exc})") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("values"), list):
            raise HMEError(f"Kolada's answer from {url} has no 'values' list")
        pages.append(doc)
        url = next_page(doc)
    return pages


def fetch_benchmark(kpis: Sequence[str], years: Sequence[int], ids: Sequence[str] = (),
                    base: str = API_V3, timeout: float = TIMEOUT) -> pd.DataFrame:
    """Download HME KPIs for the given years (all organisations unless `ids`) as a flat table."""
    unknown = [k for k in kpis if k not in KIND_OF_KPI]
    if unknown:
        raise HMEError(f"--kpi {', '.join(unknown)} is not an HME KPI; expected one of "
                       f"{', '.join(KIND_OF_KPI)}")
    pages = [p for kpi in kpis for p in fetch_pages(data_url(kpi, list(years), ids, base), timeout)]
    return records_to_frame([r for p in pages for r in p["values"]], source="Kolada API")


def read_benchmark(path: str | Path) -> pd.DataFrame:
    """Any Kolada benchmark file: API JSON (.json, v2 or v3), kolada.se's CSV/Excel export or
    the flat file (`kolada.read_kolada`)."""
    from hme_core.research.kolada import read_kolada

    path = Path(path)
    return read_kolada_json(path) if path.suffix.lower() == ".json" else read_kolada(path)
