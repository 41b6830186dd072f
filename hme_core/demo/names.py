"""Names for the synthetic "Region Demo" organisation used by `hme_core.demo.generator`.

A four-level tree: region → administrations (förvaltningar) → areas (områden) → units (enheter).
Unit codes are dotted paths (`R.HSF.KIR.AVD12`); names are readable Swedish. Each leaf unit has a
*kind* that decides its professions and whether it is patient-facing (answers HSE). Pure data and
one expansion function; no randomness here.
"""

from __future__ import annotations

from dataclasses import dataclass

ROOT_CODE = "R"
ROOT_NAME = "Region Demo"

#: Kinds whose staff have patient contact and answer HSE (docs/sources.md, HSE).
PATIENT_FACING = frozenset({"avd", "vc", "mott", "tand"})

#: Professions per unit kind, with their shares (each row sums to 1).
PROFESSIONS: dict[str, dict[str, float]] = {
    "avd": {"Undersköterska": 0.46, "Sjuksköterska": 0.38, "Läkare": 0.07,
            "Fysioterapeut": 0.04, "Medicinsk sekreterare": 0.05},
    "mott": {"Sjuksköterska": 0.34, "Läkare": 0.24, "Undersköterska": 0.2,
             "Medicinsk sekreterare": 0.14, "Administratör": 0.08},
    "vc": {"Läkare": 0.18, "Sjuksköterska": 0.34, "Undersköterska": 0.2,
           "Medicinsk sekreterare": 0.1, "Fysioterapeut": 0.1, "Administratör": 0.08},
    "tand": {"Tandläkare": 0.3, "Tandsköterska": 0.45, "Tandhygienist": 0.15,
             "Administratör": 0.1},
    "lab": {"Biomedicinsk analytiker": 0.75, "Läkare": 0.1, "Administratör": 0.15},
    "kok": {"Kock": 0.55, "Måltidsbiträde": 0.45},
    "it": {"IT-tekniker": 0.55, "Systemutvecklare": 0.3, "Administratör": 0.15},
    "service": {"Lokalvårdare": 0.45, "Fastighetstekniker": 0.3, "Transportör": 0.25},
    "adm": {"Administratör": 0.45, "Handläggare": 0.35, "Ekonom": 0.2},
    "skola": {"Lärare": 0.7, "Elevassistent": 0.15, "Administratör": 0.15},
    "kultur": {"Bibliotekarie": 0.35, "Kulturarbetare": 0.4, "Administratör": 0.25},
    "trafik": {"Trafikplanerare": 0.45, "Kundtjänstmedarbetare": 0.35, "Administratör": 0.2},
    "ledning": {"Administratör": 0.35, "Verksamhetsutvecklare": 0.4, "Handläggare": 0.25},
}

_NORR = ["Ängby", "Åsen", "Björkängen", "Granåsen", "Källby", "Lövsta", "Norrbacka", "Tallåsen",
         "Älvängen", "Öjebyn", "Fjällsta", "Myrbäcken", "Råneå", "Sörbyn", "Högbo", "Järvsö"]
_SODER = ["Södra hamnen", "Sjöstaden", "Ekåsen", "Bäckby", "Gärdet", "Hagaström", "Kvarnbäcken",
          "Lindö", "Mörkö", "Rödbäck", "Strandängen", "Tångvallen", "Ljungbyhed", "Höör",
          "Skanör", "Åkarp"]
_VAST = ["Västra torp", "Fiskebäck", "Hönö", "Öckerö", "Lerkil", "Åsa", "Tjörn", "Kärna",
         "Torslanda", "Säröhus", "Backa", "Skärhamn", "Älvsåker", "Björkö", "Mölnlycke", "Önnered"]
_OST = ["Östertull", "Vallby", "Ulvsätra", "Fröslunda", "Råby", "Skälby", "Hökåsen", "Bälinge",
        "Gottsunda", "Sävja", "Storvreta", "Vänge", "Örsundsbro", "Järlåsa", "Björklinge", "Läby"]

# A unit group: (code prefix, name template, kind, members). Members are ward numbers (code =
# prefix + number, name = template with {n}) or names (code = prefix + running number).
Group = tuple[str, str, str, list]


def _wards(first: int, count: int, specialty: str) -> Group:
    return ("AVD", "Vårdavdelning {n}, " + specialty, "avd", list(range(first, first + count)))


def _named(prefix: str, kind: str, names: list[str], template: str = "{x}") -> Group:
    return (prefix, template, kind, names)


def _primary_care(places: list[str], extra: list[str]) -> list[Group]:
    return [_named("VC", "vc", places, "Vårdcentralen {x}"), _named("MOTT", "mott", extra)]


#: administration code, name, and its areas: (area code, area name, unit groups).
ADMINISTRATIONS: list[tuple[str, str, list[tuple[str, str, list[Group]]]]] = [
    ("HSF", "Hälso- och sjukvårdsförvaltningen", [
        ("KIR", "Område kirurgi", [
            _wards(11, 11, "kirurgi"),
            _named("MOTT", "mott", ["Kirurgmottagningen", "Urologmottagningen", "Bröstcentrum",
                                    "Kärlmottagningen"]),
            _named("OP", "avd", ["Centraloperation", "Dagkirurgi", "Anestesi och uppvakning"]),
        ]),
        ("MED", "Område medicin", [
            _wards(21, 13, "medicin"),
            _named("MOTT", "mott", ["Medicinmottagningen", "Hjärtmottagningen",
                                    "Diabetesmottagningen", "Dialysmottagningen",
                                    "Lungmottagningen", "Mag- och tarmmottagningen"]),
        ]),
        ("AKU", "Område akutsjukvård", [
            _named("AVD", "avd", ["Intensivvårdsavdelningen", "Hjärtintensiven",
                                  "Akutvårdsavdelningen"]),
            _named("MOTT", "mott", ["Akutmottagningen Centrallasarettet",
                                    "Akutmottagningen Åby lasarett", "Ambulanssjukvården norr",
                                    "Ambulanssjukvården söder", "Sjukvårdsrådgivningen 1177"]),
        ]),
        ("PSY", "Område psykiatri", [
            _wards(41, 9, "psykiatri"),
            _named("MOTT", "mott", ["Psykiatrisk öppenvård norr", "Psykiatrisk öppenvård söder",
                                    "Psykiatrisk öppenvård väst", "Barn- och ungdomspsykiatrin",
                                    "Beroendemottagningen", "Ätstörningsenheten",
                                    "Rättspsykiatrisk öppenvård"]),
        ]),
        ("BKV", "Område barn och kvinna", [
            _wards(51, 5, "barn och kvinna"),
            _named("MOTT", "mott", ["Barnmottagningen", "Kvinnomottagningen", "Förlossningen",
                                    "BB-enheten", "Neonatalenheten", "Barnmorskemottagningen",
                                    "Ungdomsmottagningen"]),
        ]),
        ("ORT", "Område ortopedi och rehabilitering", [
            _wards(61, 6, "ortopedi"),
            _named("MOTT", "mott", ["Ortopedmottagningen", "Rehabiliteringsmedicin",
                                    "Fysioterapin Centrallasarettet", "Arbetsterapin",
                                    "Handkirurgiska mottagningen", "Smärtrehab"]),
        ]),
        ("ONK", "Område onkologi och hematologi", [
            _wards(71, 4, "onkologi"),
            _named("MOTT", "mott", ["Onkologimottagningen", "Strålbehandlingen",
                                    "Hematologimottagningen", "Cancerrehabiliteringen"]),
        ]),
        ("GER", "Område geriatrik", [
            _wards(81, 6, "geriatrik"),
            _named("MOTT", "mott", ["Minnesmottagningen", "Geriatriska mottagningen",
                                    "Palliativa teamet", "Avancerad sjukvård i hemmet"]),
        ]),
        ("BFM", "Område bild- och funktionsmedicin", [
            _named("MOTT", "mott", ["Röntgen Centrallasarettet", "Röntgen Åby lasarett",
                                    "Klinisk fysiologi", "Nuklearmedicin", "Mammografin"]),
            _named("LAB", "lab", ["Klinisk kemi", "Klinisk mikrobiologi", "Patologi",
                                  "Transfusionsmedicin", "Provtagningsservice"]),
        ]),
        ("HAB", "Område habilitering och hälsa", [
            _named("MOTT", "mott", ["Barn- och ungdomshabiliteringen", "Vuxenhabiliteringen",
                                    "Hörselvården", "Syncentralen", "Tolkcentralen",
                                    "Hjälpmedelscentralen", "Logopedmottagningen"]),
        ]),
        ("PVN", "Område primärvård norr", _primary_care(_NORR, ["BVC-team norr",
                                                                  "Rehabenheten norr"])),
        ("PVS", "Område primärvård söder", _primary_care(_SODER, ["BVC-team söder",
                                                                   "Rehabenheten söder"])),
        ("PVV", "Område primärvård väst", _primary_care(_VAST, ["BVC-team väst",
                                                                 "Rehabenheten väst"])),
        ("PVO", "Område primärvård öst", _primary_care(_OST, ["BVC-team öst",
                                                               "Rehabenheten öst"])),
        ("VUT", "Område vårdutveckling", [
            _named("ADM", "adm", ["Vårdadministration", "Patientsäkerhetsenheten",
                                  "Kvalitet och utveckling", "Medicinsk sekreterarservice",
                                  "Vårdplatskoordinering"]),
        ]),
    ]),
    ("RS", "Regionservice", [
        ("MAL", "Område måltidsservice", [
            _named("KOK", "kok", ["Kök Centrallasarettet", "Kök Åby lasarett", "Restaurang Ängen",
                                  "Café Entrén", "Patientmåltider", "Matdistribution"]),
        ]),
        ("ITS", "Område IT-service", [
            _named("IT", "it", ["IT-support", "IT-drift", "Nätverk och infrastruktur",
                                "Systemförvaltning vård", "Systemförvaltning administration",
                                "Informationssäkerhet", "Digitala tjänster"]),
        ]),
        ("FAS", "Område fastighet", [
            _named("FAS", "service", ["Fastighetsdrift norr", "Fastighetsdrift söder",
                                      "Projekt och bygg", "Energi och miljö", "Teknisk service"]),
        ]),
        ("LOG", "Område service och logistik", [
            _named("SL", "service", ["Lokalvård Centrallasarettet", "Lokalvård Åby lasarett",
                                     "Transport och post", "Centralförrådet", "Sterilcentralen",
                                     "Tvätt och textil"]),
        ]),
        ("HRE", "Område HR och ekonomi", [
            _named("ADM", "adm", ["Löneservice", "HR-stöd", "Redovisning", "Upphandling",
                                  "Kundtjänst ekonomi", "Arkiv och registratur",
                                  "Kommunikation", "Juridik"]),
        ]),
    ]),
    ("TV", "Tandvården", [
        ("ATN", "Område allmäntandvård norr", [
            _named("FTV", "tand", _NORR[:9] + _OST[:3], "Folktandvården {x}"),
        ]),
        ("ATS", "Område allmäntandvård söder", [
            _named("FTV", "tand", _SODER[:9] + _VAST[:3], "Folktandvården {x}"),
        ]),
        ("SPT", "Område specialisttandvård", [
            _named("SPT", "tand", ["Käkkirurgi", "Tandreglering", "Pedodonti", "Parodontologi",
                                   "Endodonti", "Protetik", "Sjukhustandvård"]),
            _named("ADM", "adm", ["Tandvårdens kansli", "Tandtekniska laboratoriet"]),
        ]),
    ]),
    ("KU", "Kultur och utbildning", [
        ("FHS", "Område folkhögskolor", [
            _named("SK", "skola", ["Ängsbacka folkhögskola", "Sjövik folkhögskola",
                                   "Björkås folkhögskola", "Folkhögskolornas service"]),
        ]),
        ("NAB", "Område naturbruk", [
            _named("SK", "skola", ["Naturbruksgymnasiet Öknaholm",
                                   "Naturbruksgymnasiet Västergård", "Lantbruksdrift",
                                   "Hästcentrum"]),
        ]),
        ("KUL", "Område kultur", [
            _named("KUL", "kultur", ["Regionbiblioteket", "Länsmuseet", "Kulturutveckling",
                                     "Regionteatern", "Musik i regionen", "Arkivcentrum"]),
        ]),
    ]),
    ("KT", "Kollektivtrafik", [
        ("TRP", "Område trafikplanering", [
            _named("TP", "trafik", ["Trafikplanering buss", "Trafikplanering tåg",
                                    "Trafikplanering landsbygd", "Färdtjänst och sjukresor"]),
        ]),
        ("KUN", "Område kund och marknad", [
            _named("KM", "trafik", ["Kundcenter", "Biljett och betalsystem",
                                    "Marknad och information", "Trafikinformation"]),
        ]),
        ("FOR", "Område fordon och avtal", [
            _named("FA", "trafik", ["Fordonsteknik", "Avtal och uppföljning",
                                    "Depå och infrastruktur", "Trafikledning"]),
        ]),
    ]),
]

#: The one unit renamed in the second year (same code, new name in a later org file).
RENAMED = ("R.HSF.PVN.VC01", "Hälsocentralen Ängby")
#: The unit opened in the last year (absent from earlier org files).
ADDED = ("R.HSF.PVS.VC99", "Vårdcentralen Nya hamnen", "R.HSF.PVS", "vc")


@dataclass(frozen=True)
class UnitSpec:
    """One node of the demo tree. `kind` is None for region, administrations and areas."""

    code: str
    name: str
    parent: str | None
    level: int
    admin: str | None
    kind: str | None


def unit_specs() -> list[UnitSpec]:
    """The whole tree in a stable order (root, then depth-first), including the added unit."""
    units = [UnitSpec(ROOT_CODE, ROOT_NAME, None, 0, None, None)]
    for adm_code, adm_name, areas in ADMINISTRATIONS:
        adm = f"{ROOT_CODE}.{adm_code}"
        units.append(UnitSpec(adm, adm_name, ROOT_CODE, 1, adm_code, None))
        for area_code, area_name, groups in areas:
            area = f"{adm}.{area_code}"
            units.append(UnitSpec(area, area_name, adm, 2, adm_code, None))
            for prefix, template, kind, members in groups:
                for i, m in enumerate(members, start=1):
                    if isinstance(m, int):
                        code, name = f"{prefix}{m}", template.format(n=m)
                    else:
                        code, name = f"{prefix}{i:02d}", template.format(x=m)
                    units.append(UnitSpec(f"{area}.{code}", name, area, 3, adm_code, kind))
    code, name, parent, kind = ADDED
    units.append(UnitSpec(code, name, parent, 3, parent.split(".")[1], kind))
    return units
