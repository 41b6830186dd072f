"""A municipality's survey with a known driver structure, delivered as a vendor would.

One statement drives the outcome: the eNPS answer (0–10) follows the respondent's answer to
`DRIVER` (hme8, goal follow-up) and noise only; the other statements share a general factor
with it but carry nothing of their own. Units are made low or high on chosen statements
(`EFFECTS`), so which statement should head each unit's focus areas is known in advance:

- E11, E21: low on the driver -> the driver is their first focus area;
- E12: low on hme1 only -> hme1 (a light item) may be a focus area, the driver is not;
- E13: far lower on hme1 than on the driver -> the driver still first (weight × gap);
- E22: high on the driver -> the driver is a strength to keep;
- E25: 3 respondents -> hidden, no block.

Files: responses as Excel with the statements' Swedish texts as headers and the unit in a
column "Enhet"; the org tree as the HR system's CSV; head counts by unit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hme_core.instruments import load_instruments

DRIVER = "hme8"
UNITS = {  # unit: (name, parent, respondents)
    "K": ("Kommun Test", None, 0),
    "F1": ("Socialförvaltningen", "K", 0), "F2": ("Tekniska förvaltningen", "K", 0),
    "E11": ("Hemtjänst Norr", "F1", 45), "E12": ("Hemtjänst Söder", "F1", 45),
    "E13": ("Boende Ekhagen", "F1", 45), "E14": ("Boende Linden", "F1", 45),
    "E21": ("Gata och park", "F2", 45), "E22": ("Vatten och avlopp", "F2", 45),
    "E23": ("Fastighet", "F2", 45), "E24": ("Kart och mät", "F2", 45),
    "E25": ("Lokalvård", "F2", 3),
}
EFFECTS = {  # unit: {statement: shift of the latent answer}
    "E11": {DRIVER: -1.1}, "E21": {DRIVER: -0.9},
    "E12": {"hme1": -1.1},
    "E13": {"hme1": -1.4, DRIVER: -0.7},
    "E22": {DRIVER: 0.9},
}
THRESHOLDS = np.array([-1.6, -0.8, 0.0, 0.9])


def driver_responses(seed: int = 29, driver_effect: float = 1.6) -> pd.DataFrame:
    """Respondents with codes 1–5 for hme1..hme9 and 0–10 for eNPS (canonical ids)."""
    rng = np.random.default_rng(seed)
    items = [f"hme{i}" for i in range(1, 10)]
    rows = []
    for unit, (_, _, n) in UNITS.items():
        if not n:
            continue
        g = rng.normal(0, 1, n)
        latent = {i: 0.6 * g + 0.8 * rng.normal(0, 1, n) + 0.6 + EFFECTS.get(unit, {}).get(i, 0)
                  for i in items}
        codes = {i: 1 + (latent[i][:, None] > THRESHOLDS).sum(axis=1) for i in items}
        enps = np.clip(np.round(6.5 + driver_effect * (latent[DRIVER] - 0.6)
                                + rng.normal(0, 1.2, n)), 0, 10).astype(int)
        sex = np.where(rng.random(n) < 0.7, "Kvinna", "Man")
        for k in range(n):
            rows.append({"Enhet": unit, "Kön": sex[k], "Roll": "Medarbetare",
                         **{i: int(codes[i][k]) for i in items}, "eNPS": int(enps[k])})
    return pd.DataFrame(rows)


def write_driver_survey(folder: Path, seed: int = 29) -> dict[str, Path]:
    """The vendor's Excel (statement texts as headers), the org tree and head counts."""
    folder.mkdir(parents=True, exist_ok=True)
    hme = load_instruments()["hme"]
    df = driver_responses(seed).rename(columns={i.id: i.sv for i in hme.items})
    paths = {"responses": folder / "Medarbetarenkät 2025.xlsx", "org": folder / "org.csv",
             "headcount": folder / "hc.csv"}
    df.to_excel(paths["responses"], index=False, sheet_name="Svar")
    org = pd.DataFrame([(u, name, parent or "") for u, (name, parent, _) in UNITS.items()],
                       columns=["unit", "name", "parent"])
    org.to_csv(paths["org"], sep=";", index=False)
    hc = pd.DataFrame([(u, 2025, max(n + 5, 6)) for u, (_, _, n) in UNITS.items() if n],
                      columns=["unit", "year", "employees"])
    hc.to_csv(paths["headcount"], sep=";", index=False)
    return paths
