"""A municipality's survey export written the way its vendor delivers it.

"Kommun Exempel" rebuilt its survey around its own areas: HME's nine statements numbered
"1." … "9.", eNPS with end labels ("0 = Inte alls sannolikt", "10 – Mycket sannolikt"), HSE
numbered "H1." … "H11." for staff with patient contact only, one manager question ("C1.",
managers only), psychosocial items of its own on a 4-point agreement scale ("P1." … "P6.") and
a frequency scale ("A1." … "A4.", two of them reversed: "motstridiga krav", "stressad"), two
exposure questions and a medarbetarsamtal question in its own words (Ja/Nej: "U1.", "U2.",
"M1."), and three questions of its own ("E1." … "E3.", 5-point agreement). Don't-know answers
are written "Vet ej / ej aktuellt". 9 + 1 + 11 + 1 + 6 + 4 + 3 + 3 = 38 items, 16 of them the
organisation's own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ORG = "Kommun Exempel"
HME = ["Mitt arbete känns meningsfullt.", "Jag lär nytt och utvecklas i mitt dagliga arbete.",
       "Jag ser fram emot att gå till arbetet.",
       "Min närmaste chef visar uppskattning för mina arbetsinsatser.",
       "Min närmaste chef visar förtroende för mig som medarbetare.",
       "Min närmaste chef ger mig förutsättningar att ta ansvar i mitt arbete.",
       "Jag är insatt i min arbetsplats mål.",
       "Min arbetsplats mål följs upp och utvärderas på ett bra sätt.",
       "Jag vet vad som förväntas av mig i mitt arbete."]
HSE = ["Min chefs chef ger förutsättningar för att bedriva en säker vård.",
       "På min arbetsplats agerar vi alltid utifrån de risker vi ser.",
       "På min arbetsplats genomförs alltid förbättringar efter negativa händelser.",
       "På min arbetsplats anpassar vi arbetet så att säkerheten bevaras när förutsättningarna "
       "förändras.",
       "På min arbetsplats lär vi oss av det som fungerar bra.",
       "Jag blir alltid bra bemött på min arbetsplats när jag behöver hjälp.",
       "På min arbetsplats har vi ett väl fungerande samarbete med andra verksamheter.",
       "Jag påtalar när jag tror något är på väg att gå fel.",
       "Jag vågar prata om mina misstag.",
       "Jag skulle känna mig trygg om en närstående vårdades på min arbetsplats.",
       "På min arbetsplats erbjuder vi patienter att vara delaktiga i vårt "
       "patientsäkerhetsarbete."]
LIKERT5 = ["Stämmer mycket dåligt", "Stämmer ganska dåligt", "Stämmer varken bra eller dåligt",
           "Stämmer ganska bra", "Stämmer mycket bra"]
AGREE4 = ["Tar helt avstånd", "Tar delvis avstånd", "Instämmer delvis", "Instämmer helt"]
FREQ5 = ["Aldrig", "Sällan", "Ibland", "Ofta", "Alltid"]
AGREE5 = ["Instämmer inte alls", "Instämmer i liten grad", "Instämmer delvis",
          "Instämmer i hög grad", "Instämmer helt"]
PSYCHO = ["Jag har tillräckligt med tid för mina arbetsuppgifter.",
          "Min arbetsbelastning är rimlig.",
          "Jag får den information jag behöver i mitt arbete.",
          "Vi hjälper varandra i arbetsgruppen.",
          "Jag kan påverka hur mitt arbete läggs upp.",
          "Jag har möjlighet till återhämtning under arbetsdagen."]
FREQ = ["Hur ofta får du motstridiga krav i ditt arbete?",
        "Hur ofta känner du dig stressad på jobbet?",
        "Hur ofta får du stöd av dina kollegor?",
        "Hur ofta kan du påverka ditt arbetstempo?"]
EXPOSURE = ["Har du under de senaste 12 månaderna blivit utsatt för kränkande särbehandling "
            "i ditt arbete?",
            "Har du under de senaste 12 månaderna blivit utsatt för hot eller våld i ditt arbete?"]
DIALOGUE = "Har du haft medarbetarsamtal med din chef under de senaste 12 månaderna?"
OWN = [f"Jag är stolt över att arbeta i {ORG}.", "Jag känner mig trygg i min anställning.",
       "Jag rekommenderar gärna min arbetsplats till andra."]
MANAGER = "Jag har goda förutsättningar för mitt uppdrag som chef."
ENPS = (f"Hur sannolikt är det att du skulle rekommendera {ORG} som arbetsgivare till en vän "
        "eller bekant?")
DONT_KNOW = "Vet ej / ej aktuellt"

#: unit, name, parent, patient contact (care units only), respondents
UNITS = [("K", ORG, None, False, 0), ("VO", "Vård och omsorg", "K", False, 0),
         ("BU", "Barn och utbildning", "K", False, 0), ("SB", "Samhällsbyggnad", "K", False, 0),
         ("VO1", "Hemtjänst Norr", "VO", True, 24), ("VO2", "Hemtjänst Söder", "VO", True, 22),
         ("VO3", "Särskilt boende Eken", "VO", True, 26),
         ("BU1", "Förskolan Solen", "BU", False, 18), ("BU2", "Skolan Ängen", "BU", False, 25),
         ("BU3", "Fritidsgården", "BU", False, 12), ("SB1", "Gata och park", "SB", False, 16),
         ("SB2", "Bygglov", "SB", False, 11)]


def _answers(rng, n: int, labels: list[str], shift: float = 0.0) -> list:
    k = len(labels)
    p = np.linspace(1, 2 + shift, k)
    p = p / p.sum()
    out = list(rng.choice(labels, size=n, p=p))
    for i in rng.choice(n, size=max(1, n // 15), replace=False):
        out[i] = DONT_KNOW if rng.random() < 0.5 else None
    return out


def municipality_frame(seed: int = 7, scale: float = 1.0) -> pd.DataFrame:
    """The 2025 export as the vendor's spreadsheet holds it (headers = numbered questions)."""
    rng = np.random.default_rng(seed)
    rows = []
    for unit, _name, _parent, care, n in UNITS:
        n = int(round(n * scale))
        for k in range(n):
            manager = k == 0 or (k == 1 and unit in ("VO3", "BU2"))
            rows.append({"unit": unit, "care": care, "manager": manager})
    n = len(rows)
    frame = pd.DataFrame({
        "Löpnummer": [f"R{i + 1:04d}" for i in range(n)],
        "Enhet": [r["unit"] for r in rows],
        "Kön": rng.choice(["Kvinna", "Man"], size=n),
        "Är du chef?": ["Ja" if r["manager"] else "Nej" for r in rows],
        "Patientkontakt": ["Ja" if r["care"] else "Nej" for r in rows],
    })
    care = np.array([r["care"] for r in rows])
    manager = np.array([r["manager"] for r in rows])
    for i, text in enumerate(HME, start=1):
        frame[f"{i}. {text}"] = _answers(rng, n, LIKERT5, shift=2)
    enps = rng.integers(0, 11, size=n).astype(object)
    enps = [("0 = Inte alls sannolikt" if v == 0 else "10 – Mycket sannolikt" if v == 10
             else str(v)) for v in enps]
    frame[ENPS] = enps
    for i, text in enumerate(HSE, start=1):
        frame[f"H{i}. {text}"] = [a if c else None
                                  for a, c in zip(_answers(rng, n, LIKERT5, 1.5), care,
                                                  strict=True)]
    frame[f"C1. {MANAGER}"] = [a if m else None for a, m in
                               zip(_answers(rng, n, LIKERT5, 1), manager, strict=True)]
    for i, text in enumerate(PSYCHO, start=1):
        frame[f"P{i}. {text}"] = _answers(rng, n, AGREE4, 1)
    for i, text in enumerate(FREQ, start=1):
        frame[f"A{i}. {text}"] = _answers(rng, n, FREQ5, 0.5)
    for i, text in enumerate(EXPOSURE, start=1):
        frame[f"U{i}. {text}"] = list(rng.choice(["Ja", "Nej"], size=n, p=[0.1, 0.9]))
    frame[f"M1. {DIALOGUE}"] = list(rng.choice(["Ja", "Nej"], size=n, p=[0.8, 0.2]))
    for i, text in enumerate(OWN, start=1):
        frame[f"E{i}. {text}"] = _answers(rng, n, AGREE5, 2)
    return frame


def write_municipality(folder: Path, seed: int = 7, scale: float = 1.0) -> dict[str, Path]:
    """responses.xlsx (the vendor's export), org.csv and headcounts.csv in `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"responses": folder / "responses.xlsx", "org": folder / "org.csv",
             "headcounts": folder / "headcounts.csv"}
    municipality_frame(seed, scale).to_excel(paths["responses"], index=False)
    pd.DataFrame([(u, name, parent) for u, name, parent, _c, _n in UNITS],
                 columns=["unit", "name", "parent"]).to_csv(paths["org"], index=False)
    pd.DataFrame([(u, max(int(n * scale * 1.2), 0)) for u, _a, _b, _c, n in UNITS],
                 columns=["unit", "employees"]).to_csv(paths["headcounts"], index=False)
    return paths


def write_municipality_sav(path: Path, seed: int = 5, scale: float = 1.0) -> Path:
    """The year before as SPSS: short variable names (Q1, H1, P1, ...), the numbered questions
    as variable labels, answers as codes with value labels (9 = "Vet ej / ej aktuellt")."""
    import pyreadstat

    frame = municipality_frame(seed, scale)
    data, labels, value_labels = {}, {}, {}
    for k, header in enumerate(frame.columns):
        values = frame[header]
        short = header.split(".", 1)[0] if header[:1].isalnum() and "." in header[:5] else \
            {"Löpnummer": "lopnr", "Enhet": "enhet", "Kön": "kon", "Är du chef?": "chef",
             "Patientkontakt": "patient", ENPS: "enps"}[header]
        short = f"Q{short}" if short[0].isdigit() else short
        labels[short] = header
        options = sorted({v for v in values.dropna() if v != DONT_KNOW})
        for scale_labels in (LIKERT5, AGREE4, FREQ5, AGREE5, ["Ja", "Nej"]):
            if set(options) <= set(scale_labels) and k >= 5:
                codes = {label: i + 1 for i, label in enumerate(scale_labels)}
                codes[DONT_KNOW] = 9
                data[short] = [codes.get(v) if v is not None else None for v in values]
                value_labels[short] = {c: label for label, c in codes.items()}
                break
        else:
            data[short] = [None if v is None else
                           str(v).split(" ")[0] if short == "enps" else v for v in values]
    out = pd.DataFrame(data)
    out["enps"] = pd.to_numeric(out["enps"])
    pyreadstat.write_sav(out, str(path), column_labels=[labels[c] for c in out.columns],
                         variable_value_labels=value_labels)
    return Path(path)


def build_workspace(folder: Path, years: tuple[int, ...] = (2025,)) -> dict:
    """As a new user would: `hme init`, `hme inspect --write-map --write-instruments` on the
    2025 export, `hme ingest` of 2025 (and of 2024 from SPSS when asked). Returns the paths
    (params, db, files). HME_PARAMS/HME_OUTPUTS are set for the calls and restored after."""
    import pytest

    from hme_core.cli import main

    folder = Path(folder)
    files = write_municipality(folder / "data")
    if 2024 in years:
        files["responses2024"] = write_municipality_sav(folder / "data" / "svar2024.sav")
    params, outputs, db = folder / "ws" / "params", folder / "ws" / "outputs", folder / "s.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HME_PARAMS", str(params))
        mp.setenv("HME_OUTPUTS", str(outputs))
        assert main(["init", str(folder / "ws"), "--organisation", ORG]) == 0
        assert main(["inspect", str(files["responses"]), "--write-map",
                     "--write-instruments"]) == 0
        for year in sorted(years):
            source = files["responses"] if year == 2025 else files["responses2024"]
            assert main(["ingest", str(source), "--year", str(year), "--org", str(files["org"]),
                         "--headcount", str(files["headcounts"]), "--db", str(db)]) == 0
    return {"params": params, "outputs": outputs, "db": db, "files": files}
