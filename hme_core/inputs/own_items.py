"""The organisation's own questions: scales inferred from the answers, instrument proposals.

`hme inspect FILE --write-instruments` proposes an instrument file under `params/instruments/`
for the item-like columns no instrument knows, for HR to review and edit:

- a column is item-like when its answers (blank and no-answer wordings aside, see
  `inputs.answers`) are the labels of a known answer scale or small whole numbers;
- its scale is inferred from the answers found (`infer_scale`): the shipped ones by their labels
  (`likert5`, `likert4`, `frequency5`, `yesno`, `nps11`) and the usual vendor scales (5- and
  4-point agreement, frequency, satisfaction, 0–10, 1–k numbers), written as a scale file of
  their own when not shipped; labels are listed unfavourable → favourable and scored 0–100
  evenly (docs/sources.md, "COPSOQ (Swedish version)": 4 options 0 / 33.3 / 66.7 / 100);
- columns are grouped as the vendor groups them: by the letters of their question number
  ("P1.", "P2." -> P) or a section before a colon ("Arbetsmiljö: …"), else one group of the
  columns in file order; one instrument per group and kind (yes/no items are shares, never
  averaged, so they get an instrument of their own);
- an item whose wording describes a burden (stress, contradictory demands, threats, …) is
  marked `reversed: true` with a comment: the favourable answer is the low one. HR checks.
English texts are left out (optional; reports fall back to the organisation's wording).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from hme_core.inputs.answers import NO_ANSWER_WORDINGS, is_no_answer
from hme_core.inputs.columns import header_key, question_number, question_text

#: Vendor answer scales, each option unfavourable -> favourable: (scale id, shipped?, labels).
KNOWN_SCALES: tuple[tuple[str, bool, tuple[str, ...]], ...] = (
    ("likert5", True, ("Stämmer mycket dåligt", "Stämmer ganska dåligt",
                       "Stämmer varken bra eller dåligt", "Stämmer ganska bra",
                       "Stämmer mycket bra")),
    ("likert4", True, ("Aldrig/nästan aldrig", "Ibland", "Ofta", "Alltid")),
    ("frequency5", True, ("Aldrig", "Sällan", "Ibland", "Ofta", "Alltid")),
    ("agree5_instammer", False, ("Instämmer inte alls", "Instämmer i liten grad",
                                 "Instämmer delvis", "Instämmer i hög grad", "Instämmer helt")),
    ("agree5_stammer", False, ("Stämmer inte alls", "Stämmer dåligt", "Stämmer delvis",
                               "Stämmer bra", "Stämmer helt")),
    ("agree5_avstand", False, ("Tar helt avstånd", "Tar delvis avstånd", "Varken eller",
                               "Instämmer delvis", "Instämmer helt")),
    ("agree4_avstand", False, ("Tar helt avstånd", "Tar delvis avstånd", "Instämmer delvis",
                               "Instämmer helt")),
    ("agree4_stammer", False, ("Stämmer inte alls", "Stämmer ganska dåligt",
                               "Stämmer ganska bra", "Stämmer helt")),
    ("agree4_grad", False, ("Inte alls", "I liten grad", "I ganska hög grad",
                            "I mycket hög grad")),
    ("frequency5_ofta", False, ("Aldrig", "Nästan aldrig", "Ibland", "Ganska ofta",
                                "Mycket ofta")),
    ("frequency4", False, ("Aldrig", "Sällan", "Ofta", "Alltid")),
    ("satisfaction5", False, ("Mycket missnöjd", "Ganska missnöjd",
                              "Varken nöjd eller missnöjd", "Ganska nöjd", "Mycket nöjd")),
    ("quality5", False, ("Mycket dåligt", "Ganska dåligt", "Varken bra eller dåligt",
                         "Ganska bra", "Mycket bra")),
    ("agree5_en", False, ("Strongly disagree", "Disagree", "Neither agree nor disagree",
                          "Agree", "Strongly agree")),
    ("frequency5_en", False, ("Never", "Seldom", "Sometimes", "Often", "Always")),
)
YES, NO = {"ja", "yes", "j"}, {"nej", "no", "n"}
#: Words of a statement describing a burden: agreeing is the unfavourable answer.
BURDEN_WORDS = ("motstridig", "stress", "trött", "orolig", "oro ", "konflikt", "kränk", "hot ",
                "hot,", "hotad", "våld", "trakasser", "diskrimin", "utsatt", "utmatt", "svårt att",
                "hinner inte", "inte hinner", "arbeta över", "påfrestande", "för mycket",
                "för hög", "tung", "ont i", "värk", "sömn", "negativt", "ensam", "press")
_MAX_OPTIONS = 11


@dataclass(frozen=True)
class InferredScale:
    id: str
    kind: str  # likert or categorical
    shipped: bool
    labels: tuple[str, ...]  # unfavourable -> favourable ('' for a numbers-only option)
    codes: tuple[int, ...]

    def as_yaml_options(self) -> list[dict]:
        """Options with evenly spaced 0-100 scores (categorical: no scores)."""
        k = len(self.codes)
        out = []
        for i, (code, label) in enumerate(zip(self.codes, self.labels, strict=True)):
            opt: dict = {"code": code}
            if self.kind == "likert":
                opt["score"] = 100 * i / (k - 1)
            if label:
                opt["sv"] = label
            out.append(opt)
        return out


_NUMBERED = re.compile(r"^(\d{1,2})(?:\s*(?:[-–—=:.)]\s*|\s)\D.*)?$")


def _answers(values: Iterable[object], no_answer: frozenset[str]) -> list[str]:
    """Distinct answer keys of a column, blank and no-answer wordings left out."""
    keys = {header_key(v) for v in values if isinstance(v, str) and v.strip()}
    keys |= {str(int(v)) for v in values if isinstance(v, (int, float)) and v == v
             and float(v).is_integer()}
    return sorted(k for k in keys if not is_no_answer(k, no_answer))


def infer_scale(values: Iterable[object], no_answer: frozenset[str] | None = None
                ) -> InferredScale | None:
    """The answer scale a column's values were given on, or None when they are not answers.

    >>> infer_scale(["Ja", "Nej", "Vet ej"]).id
    'yesno'
    >>> s = infer_scale(["Sällan", "Ibland", "Alltid", ""]); s.id, s.shipped
    ('frequency5', True)
    >>> infer_scale(["10 – Mycket sannolikt", "3", "0 = Inte alls"]).codes[-1]
    10
    >>> infer_scale(["Ganska lätt", "Mycket svårt", "Mycket lätt", "Ganska svårt"]).labels
    ('Mycket svårt', 'Ganska svårt', 'Ganska lätt', 'Mycket lätt')
    """
    no_answer = no_answer or frozenset(header_key(w) for w in NO_ANSWER_WORDINGS)
    answers = _answers(values, no_answer)
    if not answers:
        return None
    if set(answers) <= YES | NO:
        return InferredScale("yesno", "categorical", True, ("Ja", "Nej"), (1, 2))
    fits = [(len(labels), sid, shipped, labels) for sid, shipped, labels in KNOWN_SCALES
            if set(answers) <= {header_key(x) for x in labels}]
    if fits:
        _n, sid, shipped, labels = min(fits)
        return InferredScale(sid, "likert", shipped, labels, tuple(range(1, len(labels) + 1)))
    ranked = _ranked_labels(answers)
    if ranked is not None:
        return InferredScale(f"scale_{_slug(ranked[0])}_{len(ranked)}", "likert", False,
                             tuple(ranked), tuple(range(1, len(ranked) + 1)))
    numbers = [_NUMBERED.match(a) for a in answers]
    if all(numbers):
        found = sorted({int(m.group(1)) for m in numbers})
        low = 0 if found[0] == 0 else 1
        high = max(found[-1], 10 if low == 0 else found[-1])
        if high - low + 1 > _MAX_OPTIONS or high < 2:
            return None
        codes = tuple(range(low, high + 1))
        sid = "scale_0_10" if (low, high) == (0, 10) else f"scale_{low}_{high}"
        return InferredScale(sid, "likert", False, tuple("" for _ in codes), codes)
    return None


#: Words that place an unknown scale's label: unfavourable (-), middle (0), favourable (+);
#: "mycket"/"helt" strengthen. A label without any of them is not a scale label.
_POLARITY = {"inte": -1, "ej": -1, "aldrig": -1, "dålig": -1, "dåligt": -1, "missnöjd": -1,
             "svårt": -1, "svår": -1, "låg": -1, "sällan": -0.5, "lite": -0.5, "liten": -0.5,
             "varken": 0, "delvis": 0, "ibland": 0, "neutral": 0, "medel": 0,
             "bra": 1, "nöjd": 1, "lätt": 1, "hög": 1, "ofta": 0.5, "alltid": 1, "god": 1,
             "goda": 1, "gott": 1}
_STRONG = ("mycket", "helt", "alltid", "aldrig", "inte alls")


def _ranked_labels(answers: list[str]) -> list[str] | None:
    """An unknown scale's labels from the least to the most favourable, ranked by their
    words (`_POLARITY`); None unless every answer is such a label (2-7 of them)."""
    if not 2 <= len(answers) <= 7:
        return None
    ranks = {}
    for answer in answers:
        words = re.findall(r"[^\W\d_]+", answer)
        found = [_POLARITY[w] for w in words if w in _POLARITY]
        if not found or any(ch.isdigit() for ch in answer):
            return None
        value = min(found) if min(found) < 0 else max(found)
        ranks[answer] = value * (2 if any(s in answer for s in _STRONG) else 1)
    if len(set(ranks.values())) != len(ranks):
        return None  # two labels alike: the order is a guess, leave it to HR
    return [a[:1].upper() + a[1:] for a in sorted(answers, key=ranks.__getitem__)]


def reads_as_burden(text: str) -> bool:
    """Whether a statement describes a burden (agreeing is unfavourable): `BURDEN_WORDS`.

    >>> reads_as_burden("Hur ofta får du motstridiga krav?"), reads_as_burden("Jag trivs")
    (True, False)
    """
    key = header_key(text) + " "
    return any(word in key for word in BURDEN_WORDS)


@dataclass
class Proposal:
    """One proposed instrument: its id, name, kind and items (id, text, scale, reversed)."""

    id: str
    name: str
    kind: str
    items: list[dict] = field(default_factory=list)

    @property
    def scales(self) -> list[InferredScale]:
        seen: dict[str, InferredScale] = {}
        for item in self.items:
            seen.setdefault(item["scale"].id, item["scale"])
        return list(seen.values())


_SECTION = re.compile(r"^([^:]{3,40}):\s+(\S.*)$")


def _group_of(header: str) -> tuple[str, str]:
    """(group key, question text) of a header: the question number's letters, a section
    before a colon, or '' (no grouping)."""
    number = question_number(header)
    text = question_text(header)
    letters = re.match(r"^([^\W\d_]+)", number) if number else None
    if letters:
        return letters.group(1).upper(), text
    section = _SECTION.match(text)
    if section and len(section.group(1).split()) <= 4:
        return section.group(1).strip(), section.group(2).strip()
    return "", text


def _slug(text: str) -> str:
    import unicodedata

    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_")[:24] or "own"


def propose_instruments(columns: dict[str, list[object]], taken: set[str],
                        labels: dict[str, str] | None = None) -> list[Proposal]:
    """Proposals for the item-like columns of `columns` ({header: distinct values}); `taken`
    holds the ids already in use (items, indices, instruments); `labels` SPSS variable labels."""
    labels = labels or {}
    groups: dict[tuple[str, str], Proposal] = {}
    used = set(taken)
    for header, values in columns.items():
        scale = infer_scale(values)
        if scale is None:
            continue
        wording = labels.get(header) if len(str(labels.get(header) or "").split()) > 1 else header
        key, text = _group_of(wording)
        kind = scale.kind
        group_id = _slug(f"own {key}" if key else "own questions")
        if (key, kind) not in groups:
            ins_id = group_id
            if ins_id in used and kind == "categorical":
                ins_id += "_yesno"
            while ins_id in used:
                ins_id += "_x"
            used.add(ins_id)
            name = (f"Egna frågor {key}" if len(key) <= 3 and key else key or "Egna frågor")
            groups[(key, kind)] = Proposal(ins_id, name + (" (ja/nej)" if kind == "categorical"
                                                           else ""), kind)
        proposal = groups[(key, kind)]
        number = _slug(question_number(wording)) if question_number(wording) else ""
        item_id = (f"own_{number}" if re.match(r"^[a-z]", number)
                   else f"{proposal.id}_{number or len(proposal.items) + 1}")
        while item_id in used:
            item_id += "_x"
        used.add(item_id)
        proposal.items.append({"id": item_id, "header": header, "sv": text, "scale": scale,
                               "reversed": reads_as_burden(text), "values": list(values)})
    for proposal in groups.values():
        _one_scale_per_group(proposal)
    return list(groups.values())


def _one_scale_per_group(proposal: Proposal) -> None:
    """Items of a group answered on labels of one scale get that scale: 'Ofta'/'Sällan' alone
    fit a 4-option frequency scale, but beside 'Aldrig … Alltid' they are its five options."""
    labelled = [i for i in proposal.items if any(i["scale"].labels)]
    if len(labelled) < 2:
        return
    union = infer_scale([v for i in labelled for v in i["values"]])
    if union is None or not any(union.labels):
        return
    for item in labelled:
        item["scale"] = union


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    import json

    return json.dumps(text, ensure_ascii=False)


def scale_yaml(scale: InferredScale) -> str:
    """A scale file's text for a scale not shipped."""
    lines = ["# Inferred by `hme inspect --write-instruments`: options from the least to the "
             "most favourable answer,", "# scored 0-100 evenly. Check the order and the labels.",
             f"id: {scale.id}", f"kind: {scale.kind}", "options:"]
    for opt in scale.as_yaml_options():
        parts = [f"code: {opt['code']}"]
        if "score" in opt:
            parts.append(f"score: {opt['score']:.17g}")
        if "sv" in opt:
            parts.append(f"sv: {_q(opt['sv'])}")
        lines.append(f"  - {{{', '.join(parts)}}}")
    return "\n".join(lines) + "\n"


def proposal_yaml(p: Proposal, source: str) -> str:
    """An instrument file's text for a proposal, with comments for HR to check."""
    counts: dict[str, int] = {}
    for item in p.items:
        counts[item["scale"].id] = counts.get(item["scale"].id, 0) + 1
    main = max(counts, key=counts.__getitem__)
    lines = [f"# Proposed by `hme inspect {source} --write-instruments`: the organisation's own",
             "# questions, worded as in the file. Check the name, the scales (inferred from the",
             "# answers found) and the items marked reversed; English texts (en:) are optional.",
             f"id: {p.id}", f"name: {{sv: {_q(p.name)}}}", f"scale: {main}"]
    lines.append("method: item_mean" if p.kind == "likert" else
                 "# yes/no: reported as the share answering each option, never averaged")
    lines.append("items:")
    for item in p.items:
        parts = [f"id: {item['id']}", f"sv: {_q(item['sv'])}"]
        if item["scale"].id != main:
            parts.append(f"scale: {item['scale'].id}")
        if item["reversed"]:
            parts.append("reversed: true")
        note = ("" if not item["reversed"] else
                "  # reads as a burden: 'Ja' is the unfavourable answer (check)"
                if p.kind == "categorical" else
                "  # reads as a burden: the favourable answer is the low one (check)")
        lines.append(f"  - {{{', '.join(parts)}}}{note}")
    if p.kind == "likert":
        ids = ", ".join(i["id"] for i in p.items)
        lines += ["indices:", f"  - {{id: {p.id}, name: {{sv: {_q(p.name)}}}, items: [{ids}]}}"]
    return "\n".join(lines) + "\n"


def write_proposals(proposals: list[Proposal], folder, source: str) -> list:
    """Write each proposal to `folder/<id>.yaml` and each scale not shipped to
    `folder/scales/<id>.yaml`; existing files are kept (never overwritten). Returns the paths
    written."""
    from pathlib import Path

    from hme_core.atomic import write_new_file

    folder = Path(folder)
    written = []
    for p in proposals:
        for scale in p.scales:
            path = folder / "scales" / f"{scale.id}.yaml"
            if not scale.shipped and not path.exists():
                write_new_file(path, scale_yaml(scale))
                written.append(path)
        path = folder / f"{p.id}.yaml"
        if not path.exists():
            write_new_file(path, proposal_yaml(p, source))
            written.append(path)
    return written
