"""A small two-year store for report tests; expected numbers worked out by hand.

Tree: R (region) -> A (area, with 5 respondents of its own) -> a1 (12 respondents), a2 (3).

2025, every respondent answers all nine HME statements with one code:
  a1: 8 x code 4 (75) and 4 x code 2 (25) -> each statement (8*75 + 4*25)/12 = 58.33 -> HME 58,3
      eNPS: 8 x 9 (promoters), 4 x 6 (detractors) -> 66.67 % - 33.33 % = 33,3
  a2: 3 x code 1 -> below min_n_index 5: suppressed
  A direct: 5 x code 5 (100)
  A subtree: (8*75 + 4*25 + 3*0 + 5*100)/20 = 1200/20 = 60,0 (n 20)
2024: a1 has 12 x code 3 (50) -> change +8,3 ▲; everyone else as in 2025.
Head counts: a1 15, a2 6, A 5 -> a1 response rate 12/15 = 80,0 %.
"""

from __future__ import annotations

from pathlib import Path

from hme_core.pipeline import ingest_files

ORG = "unit;name;parent\nR;Region Test;\nA;Område Å;R\na1;Avdelning 1;A\na2;Avdelning 2 \"Öst\";A\n"
HEADCOUNT = "unit;year;employees\na1;2024;15\na2;2024;6\nA;2024;5\na1;2025;15\na2;2025;6\nA;2025;5\n"


def _responses(year: int) -> str:
    head = "respondent_id;unit;sex;role;" + ";".join(f"hme{i}" for i in range(1, 10)) + ";enps"
    rows, k = [head], 0

    def add(unit, code, enps, sex="Kvinna", role="Medarbetare"):
        nonlocal k
        k += 1
        rows.append(f"{year}-{k};{unit};{sex};{role};" + ";".join([str(code)] * 9) + f";{enps}")

    if year == 2025:
        for i in range(8):
            add("a1", 4, 9, sex="Kvinna" if i % 2 else "Man")
        for i in range(4):
            add("a1", 2, 6, sex="Kvinna" if i % 2 else "Man")
    else:
        for _ in range(12):
            add("a1", 3, 8)
    for _ in range(3):
        add("a2", 1, 2)
    for _ in range(5):  # not all "Chef": a role breakdown of A would isolate this group, and
        add("A", 5, 10)  # then a2 = A - a1 - direct by subtraction (secondary suppression)
    return "\n".join(rows) + "\n"


def build_store(folder: Path) -> Path:
    """Write the input files, ingest both years, return the database path."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "hme.duckdb"
    (folder / "org.csv").write_text(ORG, encoding="utf-8")
    (folder / "hc.csv").write_text(HEADCOUNT, encoding="utf-8")
    for year in (2024, 2025):
        (folder / f"r{year}.csv").write_text(_responses(year), encoding="utf-8")
        ingest_files(db, folder / f"r{year}.csv", year, folder / "org.csv", folder / "hc.csv")
    return db
