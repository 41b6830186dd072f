"""Kolada's API JSON (v3 pages with next_url, v2 with next_page) served from 127.0.0.1."""

from __future__ import annotations

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest

from hme_core.errors import HMEError
from hme_core.research.kolada import read_kolada
from hme_core.research.kolada_api import fetch_benchmark, fetch_pages, read_benchmark


def _record(mid: str, kpi: str, t, k, m, period: int = 2024) -> dict:
    """One data record as Kolada answers it (count/status fields included)."""
    return {"kpi": kpi, "municipality": mid, "period": period,
            "values": [{"count": 1, "gender": g, "status": "" if v is not None else "Saknas",
                        "value": v} for g, v in (("T", t), ("K", k), ("M", m))]}


@pytest.fixture
def kolada():
    """A local server: /v3/data/kpi/U60200/year/2024 in two pages (next_url), an old v2 page."""
    pages: dict[str, dict] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            doc = pages.get(self.path)
            body = json.dumps(doc).encode() if doc else b'{"error": "not found"}'
            self.send_response(200 if doc else 404)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{server.server_port}"
    pages["/v3/data/kpi/U60200/year/2024"] = {
        "values": [_record("0001", "U60200", 78.0, 79.0, 75.0),
                   _record("0003", "U60200", 80.0, None, None)],
        "count": 2, "next_url": f"{base}/v3/data/kpi/U60200/year/2024?page=2"}
    pages["/v3/data/kpi/U60200/year/2024?page=2"] = {
        "values": [_record("0004", "U60200", 76.5, 77.0, 74.0),
                   _record("0180", "N00945", 1.0, 1.0, 1.0)],  # not an HME KPI: ignored
        "count": 2, "next_url": None}
    pages["/v2/data/kpi/U60201/year/2023"] = {
        "values": [_record("1", "U60201", 81.0, 82.0, 79.0, 2023)], "count": 1, "next_page": None}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def test_v3_pages_are_followed_through_next_url_with_t_k_m_and_a_missing_value(kolada):
    table = fetch_benchmark(["U60200"], [2024], base=f"{kolada}/v3")
    # 3 regions x T/K/M from two pages; the non-HME KPI on page 2 is left out
    assert len(table) == 9 and set(table["municipality_id"]) == {"0001", "0003", "0004"}
    values = table.set_index(["municipality_id", "gender"])["value"]
    assert values[("0001", "K")] == 79.0 and values[("0004", "T")] == 76.5
    assert values[("0003", "T")] == 80.0 and math.isnan(values[("0003", "K")])
    assert set(table["index"]) == {"hme"} and set(table["kind"]) == {"region"}


def test_v2_page_with_next_page_and_an_unpadded_id(kolada):
    pages = fetch_pages(f"{kolada}/v2/data/kpi/U60201/year/2023")
    from hme_core.research.kolada_api import records_to_frame

    table = records_to_frame(pages[0]["values"])
    assert table["municipality_id"].tolist() == ["0001"] * 3
    assert table["gender"].tolist() == ["K", "M", "T"] and table["index"].iloc[0] == "motivation"


def test_unknown_path_and_offline_server_give_clear_errors(kolada):
    with pytest.raises(HMEError, match="Kolada answered 404"):
        fetch_benchmark(["U60203"], [2024], base=f"{kolada}/v3")
    with pytest.raises(HMEError, match="could not reach Kolada"):
        fetch_pages("http://127.0.0.1:9/v3/data/kpi/U60200/year/2024", timeout=2)
    with pytest.raises(HMEError, match="not an HME KPI"):
        fetch_benchmark(["N00945"], [2024], base=f"{kolada}/v3")


def test_saved_json_pages_read_like_the_flat_file(kolada, tmp_path):
    pages = fetch_pages(f"{kolada}/v3/data/kpi/U60200/year/2024")
    saved = tmp_path / "kolada.json"
    saved.write_text(json.dumps(pages), encoding="utf-8")
    from_json = read_benchmark(saved)
    flat = tmp_path / "flat.csv"
    from_json.drop(columns=["kind", "index"]).to_csv(flat, sep=";", index=False)
    pd.testing.assert_frame_equal(
        from_json.reset_index(drop=True),
        read_kolada(flat).sort_values(["year", "kpi", "municipality_id", "gender"]).reset_index(drop=True),
        check_dtype=False)


def test_kolada_se_export_with_swedish_headers_and_gender_words(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text("Kommun-id;Region;År;Nyckeltal;Kön;Värde\n"
                      "0001;Region Stockholm;2024;U60200;Totalt;78,0\n"
                      "0001;Region Stockholm;2024;U60200;Kvinnor;79,5\n"
                      "0001;Region Stockholm;2024;U60200;Män;\n", encoding="utf-8")
    table = read_kolada(export)
    assert table["gender"].tolist() == ["T", "K", "M"]
    assert table["value"].iloc[1] == 79.5 and math.isnan(table["value"].iloc[2])


def test_benchmarks_fetch_command_writes_the_flat_file(kolada, tmp_path, capsys):
    from hme_core.cli.main import main

    out = tmp_path / "bench.csv"
    code = main(["benchmarks", "fetch", "--kpi", "U60200", "--year", "2024",
                 "--base-url", f"{kolada}/v3", "--out", str(out)])
    assert code in (0, None)
    table = read_kolada(out)
    assert len(table) == 9 and table["value"].isna().sum() == 2
