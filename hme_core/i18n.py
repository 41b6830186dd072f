"""One translation table for all user-facing report text, and locale-aware formatting.

Swedish (``"sv"``) is the default language, English (``"en"``) the second. Every text lives in
`TEXTS`, keyed by a short id; `t` looks one up and fills its ``{placeholders}``. Numbers, dates and
sorting follow the locale (babel: ``sv_SE`` / ``en_GB``).

Rounding rule (one place, used by every formatter and by `trend_arrow`): **half up**, i.e. halves
round away from zero, as Swedish readers expect from school and from vendor reports (74,45 →
74,5; −2,05 → −2,1). The float is first read as its shortest decimal form (``repr``), so 0.05 is
treated as exactly 0,05 and not as the binary 0.05000000000000000277….

>>> t("report_title", year=2026)
'Medarbetarundersökning 2026'
>>> fmt_number(74.45, lang="en")
'74.5'
>>> fmt_signed(-2.1)
'−2,1'
>>> trend_arrow(0.05), trend_arrow(0.04), trend_arrow(-0.05)
('▲', '=', '▼')
"""

from __future__ import annotations

import datetime as dt
import string
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal

LANGS: tuple[str, ...] = ("sv", "en")
LOCALES: dict[str, str] = {"sv": "sv_SE", "en": "en_GB"}
MISSING = "–"  # en dash, shown for suppressed or missing values
MINUS = "\u2212"  # true minus sign, typographically correct in both Swedish and English
NBSP = "\u00a0"

_SCALE_SV = ("Stämmer mycket dåligt", "Stämmer ganska dåligt", "Stämmer varken bra eller dåligt",
             "Stämmer ganska bra", "Stämmer mycket bra")
_SCALE_EN = ("Strongly disagree", "Somewhat disagree", "Neither agree nor disagree",
             "Somewhat agree", "Strongly agree")

TEXTS: dict[str, dict[str, str]] = {
    # Report header (002, first page)
    "report_title": {"sv": "Medarbetarundersökning {year}", "en": "Employee survey {year}"},
    "responses": {"sv": "Antal svar", "en": "Responses"},
    "employees": {"sv": "Antal medarbetare", "en": "Employees"},
    "response_rate": {"sv": "Svarsfrekvens", "en": "Response rate"},
    "report_date": {"sv": "Rapportdatum", "en": "Report date"},
    "n": {"sv": "n", "en": "n"},
    "n_equals": {"sv": "n = {n}", "en": "n = {n}"},
    "year": {"sv": "År", "en": "Year"},
    "no_data": {"sv": "Uppgift saknas", "en": "No data"},
    # Indices
    "index_hme": {"sv": "HME totalt", "en": "HME total"},
    "index_motivation": {"sv": "Motivation", "en": "Motivation"},
    "index_leadership": {"sv": "Ledarskap", "en": "Leadership"},
    "index_governance": {"sv": "Styrning", "en": "Governance"},
    "index_enps": {"sv": "eNPS", "en": "eNPS"},
    "index_hse": {"sv": "HSE totalt", "en": "HSE total"},
    "hme_name": {"sv": "HME – Hållbart medarbetarengagemang",
                 "en": "HME – Sustainable employee engagement"},
    "hse_name": {"sv": "HSE – Hållbart säkerhetsengagemang",
                 "en": "HSE – Sustainable safety engagement"},
    "index_axis": {"sv": "Index (0–100)", "en": "Index (0–100)"},
    "index_explanation": {
        "sv": "Index är ett medelvärdesindex som omvandlats från en femgradig skala till en "
              "0–100-skala där noll (0) är lägsta möjliga värde och hundra (100) är högsta "
              "möjliga värde.",
        "en": "The index is a mean index converted from a five-point scale to a 0–100 scale, "
              "where zero (0) is the lowest and one hundred (100) the highest possible value."},
    # Comparisons
    "comparison_heading": {
        "sv": "Jämförelse uppåt i organisationen och mot tidigare år",
        "en": "Comparison with the wider organisation and with previous years"},
    "change_from_last_year": {"sv": "Förändring mot föregående år", "en": "Change from last year"},
    "diff": {"sv": "Diff", "en": "Change"},
    "trend": {"sv": "Trend", "en": "Trend"},
    "within_margin": {"sv": "inom felmarginalen", "en": "within the margin of error"},
    "strengths": {"sv": "Styrkor", "en": "Strengths"},
    "areas_to_improve": {"sv": "Förbättringsområden", "en": "Areas to improve"},
    "largest_changes": {"sv": "Största förändringar", "en": "Largest changes"},
    # Stoplight (002) and the five-point scale (HME.md)
    "stoplight_heading": {"sv": "Stoppljusdiagram", "en": "Stoplight chart"},
    "stoplight_explanation": {
        "sv": "Vid minst {n} svarande visas resultatet i stoppljusdiagram med andel svar per "
              "svarsalternativ: röda nyanser innebär att de inte instämmer i det aktuella "
              "påståendet, gula nyanser att de instämmer delvis och gröna nyanser att de "
              "instämmer.",
        "en": "With at least {n} respondents, the result is shown in a stoplight chart with the "
              "share of answers per response option: shades of red mean that respondents do not "
              "agree with the statement, shades of yellow that they partly agree and shades of "
              "green that they agree."},
    "share_of_answers": {"sv": "Andel svar", "en": "Share of answers"},
    **{f"scale_{i + 1}": {"sv": sv, "en": en}
       for i, (sv, en) in enumerate(zip(_SCALE_SV, _SCALE_EN, strict=True))},
    # eNPS (002)
    "enps_question": {
        "sv": "Hur sannolikt är det att du skulle rekommendera {organisation} som arbetsgivare "
              "till en vän eller bekant?",
        "en": "How likely is it that you would recommend {organisation} as an employer to a "
              "friend or acquaintance?"},
    "enps_explanation": {
        "sv": "Frågan besvaras på en skala från 0 till 10. 0–6 = Kritiker, 7–8 = Passiva, "
              "9–10 = Ambassadörer. eNPS = andelen Ambassadörer (%) − andelen Kritiker (%) och "
              "kan anta ett värde mellan −100 och 100.",
        "en": "The question is answered on a scale from 0 to 10. 0–6 = Detractors, "
              "7–8 = Passives, 9–10 = Promoters. eNPS = share of Promoters (%) − share of "
              "Detractors (%) and can take a value between −100 and 100."},
    "enps_detractors": {"sv": "Kritiker", "en": "Detractors"},
    "enps_passives": {"sv": "Passiva", "en": "Passives"},
    "enps_promoters": {"sv": "Ambassadörer", "en": "Promoters"},
    "enps_value": {"sv": "eNPS {value}", "en": "eNPS {value}"},
    # Privacy
    "suppressed": {
        "sv": "Resultat visas inte eftersom färre än {n} personer har svarat. Det skyddar de "
              "svarandes anonymitet.",
        "en": "Results are not shown because fewer than {n} people responded. This protects "
              "the respondents' anonymity."},
    # Analysis questions (002, HME.md)
    "analysis_keep": {"sv": "Vad är viktigt att bevara?", "en": "What is important to keep?"},
    "analysis_keep_q1": {
        "sv": "Vad är vi nöjda med – goda resultat? Tydliga förbättringar? Varför tror vi att "
              "detta fungerar bra?",
        "en": "What are we pleased with – good results? Clear improvements? Why do we think "
              "this works well?"},
    "analysis_keep_q2": {"sv": "Hur kan vi aktivt bevara och utveckla det?",
                         "en": "How can we actively keep and develop it?"},
    "analysis_keep_q3": {
        "sv": "Vilka konkreta åtgärder eller strategier behövs för att säkerställa att vi "
              "bibehåller det som fungerar bra?",
        "en": "What concrete actions or strategies are needed to make sure we keep what works "
              "well?"},
    "analysis_keep_q4": {"sv": "Kan vi ta med några lärdomar till andra områden?",
                         "en": "Are there lessons we can take to other units?"},
    "analysis_improve": {"sv": "Vad behöver förbättras och åtgärdas?",
                         "en": "What needs to be improved and addressed?"},
    "analysis_improve_q1": {
        "sv": "Är det något i resultatet vi behöver hantera för att förbättra vår arbetsmiljö "
              "och arbetssituation?",
        "en": "Is there anything in the results we need to handle to improve our work "
              "environment and work situation?"},
    "analysis_improve_q2": {"sv": "Finns det något i resultatet som visar på risk för ohälsa?",
                            "en": "Does anything in the results indicate a risk of ill health?"},
    "analysis_improve_q3": {
        "sv": "Vad kan vi påverka på vår nivå? Hur kan vi eliminera/minimera/hantera risker?",
        "en": "What can we influence at our level? How can we eliminate, minimise or manage "
              "risks?"},
    "analysis_escalate": {"sv": "Finns behov som behöver lyftas till övergripande nivå?",
                          "en": "Are there needs that should be raised to a higher level?"},
    "analysis_escalate_q1": {
        "sv": "Saknas resurser för att vidta någon åtgärd som vi ser som viktig?",
        "en": "Are resources missing to take an action we consider important?"},
    "analysis_escalate_q2": {
        "sv": "Saknas befogenheter för att genomföra något vi ser som viktigt?",
        "en": "Is the mandate missing to carry out something we consider important?"},
    "analysis_escalate_q3": {
        "sv": "Har vi identifierat behov som berör fler enheter/verksamheter än vår egen, och "
              "som behöver hanteras/lyftas till en övergripande nivå?",
        "en": "Have we identified needs that concern more units than our own and that need to "
              "be handled or raised at a higher level?"},
    # Management dialogue (002)
    "dialogue_expected": {
        "sv": "Var något i resultatet som du förväntat? Är det något som överraskar? Vad och "
              "varför?",
        "en": "Was anything in the results as you expected? Does anything surprise you? What "
              "and why?"},
    "dialogue_priorities": {
        "sv": "Vilka fem områden tycker du är viktigast att prioritera att arbeta vidare med?",
        "en": "Which five areas do you think are most important to prioritise?"},
    "dialogue_actions": {"sv": "Vad ser du för tänkbara åtgärder att jobba vidare med?",
                         "en": "What possible actions do you see to work on?"},
    # Breakdowns
    "sex": {"sv": "Kön", "en": "Sex"},
    "sex_female": {"sv": "Kvinna", "en": "Woman"},
    "sex_male": {"sv": "Man", "en": "Man"},
    "role": {"sv": "Roll", "en": "Role"},
    "role_manager": {"sv": "Chef", "en": "Manager"},
    "role_employee": {"sv": "Medarbetare", "en": "Employee"},
    "sex_other": {"sv": "Annat", "en": "Other"},
    # Report sections (unit report)
    "suppressed_detail": {
        "sv": "Inga index, andelar, diagram eller skillnader redovisas för enheten. Enhetens svar "
              "ingår i resultaten för nivåerna ovanför.",
        "en": "No index, share, chart or difference is shown for this unit. Its answers are "
              "included in the results of the levels above it."},
    "index_chart_alt": {"sv": "Stapeldiagram över HME-index för {unit}: {values}.",
                        "en": "Bar chart of HME indices for {unit}: {values}."},
    "no_previous_year": {"sv": "Det finns inget jämförbart resultat från föregående år.",
                         "en": "There is no comparable result from the previous year."},
    "note": {"sv": "Kommentar", "en": "Note"},
    "noise_rule": {
        "sv": "En förändring räknas som inom felmarginalen när den är mindre än 1,96 standardfel "
              "av skillnaden (95 % konfidensintervall; standardfelet från spridningen i "
              "svarandes medelvärden, åren behandlade som oberoende urval).",
        "en": "A change counts as within the margin of error when it is smaller than 1.96 "
              "standard errors of the difference (95% confidence interval; the standard error "
              "from the spread of respondents' means, the years treated as independent samples)."},
    "stoplight_alt": {"sv": "Stoppljusdiagram, {title}:", "en": "Stoplight chart, {title}:"},
    "distribution_hidden": {
        "sv": "{count} påstående(n) visas inte i stoppljusdiagrammet eftersom färre än {n} har "
              "svarat på dem.",
        "en": "{count} statement(s) are not shown in the stoplight chart because fewer than {n} "
              "people answered them."},
    "statement": {"sv": "Påstående", "en": "Statement"},
    "statement_indices": {"sv": "Index per påstående", "en": "Index per statement"},
    "index": {"sv": "Index", "en": "Index"},
    "value": {"sv": "Värde", "en": "Value"},
    "statements_heading": {"sv": "Resultat per påstående", "en": "Results per statement"},
    "enps_heading": {"sv": "Rekommendation (eNPS)", "en": "Recommendation (eNPS)"},
    "enps_alt": {"sv": "Stapeldiagram över andelar Kritiker, Passiva och Ambassadörer.",
                 "en": "Bar chart of the shares of Detractors, Passives and Promoters."},
    "outcome_statements": {"sv": "Utfallspåståenden (ingår inte i index)",
                           "en": "Outcome statements (not part of the index)"},
    "breakdown_heading": {"sv": "Resultat per grupp", "en": "Results by group"},
    "breakdown_hidden": {
        "sv": "Resultat per kön och roll visas inte, eftersom minst en grupp har färre än {n} "
              "svarande.",
        "en": "Results by sex and role are not shown, because at least one group has fewer "
              "than {n} respondents."},
    "breakdown_rule": {
        "sv": "Ett värde visas bara när gruppen har minst {n} svar på varje påstående och värdet inte kan avslöja en mindre grupp genom subtraktion; annars står –.",
        "en": "A value is shown only when the group has at least {n} answers to every statement and the value cannot reveal a smaller group by subtraction; otherwise –."},
    "analysis_heading": {"sv": "Analys och dialog", "en": "Analysis and dialogue"},
    "analysis_intro": {
        "sv": "Utgångspunkter ur resultatet att diskutera på arbetsplatsträffen. Frågorna nedan "
              "besvaras tillsammans av chef, medarbetare, skyddsombud och HR.",
        "en": "Starting points from the results to discuss at the workplace meeting. The "
              "questions below are answered together by the manager, employees, the safety "
              "representative and HR."},
    # Index page
    "index_title": {"sv": "Rapporter {year}", "en": "Reports {year}"},
    "index_search": {"sv": "Sök enhet", "en": "Search unit"},
    "index_summary": {"sv": "{units} enheter, {failed} misslyckade",
                      "en": "{units} units, {failed} failed"},
    "index_col_unit": {"sv": "Enhet", "en": "Unit"},
    "index_col_level": {"sv": "Nivå", "en": "Level"},
    "index_col_status": {"sv": "Status", "en": "Status"},
    "index_col_links": {"sv": "Rapport", "en": "Report"},
    "status_ok": {"sv": "Klar", "en": "Done"},
    "status_failed": {"sv": "Misslyckades", "en": "Failed"},
    "status_not_rendered": {"sv": "Ej skapad", "en": "Not rendered"},
    "status_suppressed": {"sv": "Klar (för få svar)", "en": "Done (too few responses)"},
    # Narratives, escalations, follow-up and targets (issue 4; seeds 002 and 003)
    "narrative_title": {"sv": "Analys och dialog {year} – {unit}",
                        "en": "Analysis and dialogue {year} – {unit}"},
    "narrative_help": {
        "sv": "Enhet {unit}, år {year}. Skriv enhetens egen analys under rubrikerna nedan. "
              "Text inom kommentarer som denna visas aldrig i rapporten: frågorna och förslagen "
              "från data är bara stöd och kan tas bort. 'hme narratives init' skriver aldrig "
              "över en befintlig fil.",
        "en": "Unit {unit}, year {year}. Write the unit's own analysis under the headings below. "
              "Text inside comments like this one is never shown in the report: the questions "
              "and the suggestions from the data are only support and can be deleted. "
              "'hme narratives init' never overwrites an existing file."},
    "narrative_questions": {"sv": "Frågor att utgå från:", "en": "Questions to start from:"},
    "narrative_suggestions": {
        "sv": "Förslag från data (visas inte i rapporten som enhetens text):",
        "en": "Suggestions from the data (not shown in the report as the unit's text):"},
    "narrative_actions": {"sv": "Åtgärder", "en": "Actions"},
    "narrative_actions_help": {
        "sv": "En punkt per åtgärd, t.ex. '- Inför månatliga målavstämningar (ansvarig: "
              "Enhetschef, klart: 2026)'. Markera en genomförd åtgärd med [x]: '- [x] …'.",
        "en": "One list item per action, e.g. '- Introduce monthly goal check-ins (owner: "
              "Unit manager, due: 2026)'. Mark a completed action with [x]: '- [x] …'."},
    "suggestions_heading": {"sv": "Förslag från data", "en": "Suggestions from the data"},
    "suggest_suppressed": {
        "sv": "Enheten har färre än {n} svarande, så inga resultat visas. Utgå från "
              "arbetsplatsens egna erfarenheter och resultaten för nivån ovanför.",
        "en": "The unit has fewer than {n} respondents, so no results are shown. Start from the "
              "workplace's own experience and the results of the level above."},
    "suggest_value": {"sv": "{statement} ({value})", "en": "{statement} ({value})"},
    "suggest_parent": {"sv": "{statement}: {value} mot {parent} för {parent_name} ({diff})",
                       "en": "{statement}: {value} against {parent} for {parent_name} ({diff})"},
    "suggest_change": {"sv": "{statement}: {diff} {arrow} sedan {year}",
                       "en": "{statement}: {diff} {arrow} since {year}"},
    "suggest_disagreement": {
        "sv": "{statement}: {share} instämmer inte (svar 1–2)",
        "en": "{statement}: {share} disagree (answers 1–2)"},
    "suggest_low_response": {
        "sv": "Svarsfrekvensen är {rate}, under {limit}: resultatet speglar kanske inte hela "
              "arbetsplatsen.",
        "en": "The response rate is {rate}, below {limit}: the results may not represent the "
              "whole workplace."},
    "above_parent": {"sv": "Högre än nivån ovanför", "en": "Above the level above"},
    "below_parent": {"sv": "Lägre än nivån ovanför", "en": "Below the level above"},
    "improved": {"sv": "Största förbättringar", "en": "Largest improvements"},
    "declined": {"sv": "Största försämringar", "en": "Largest declines"},
    "disagreement": {"sv": "Hög andel som inte instämmer", "en": "High share of disagreement"},
    "low_response": {"sv": "Svarsfrekvens", "en": "Response rate"},
    "no_results": {"sv": "För få svar", "en": "Too few responses"},
    "analysis_no_narrative": {
        "sv": "Enheten har ännu ingen egen analys. Frågorna och förslagen från resultatet nedan "
              "är utgångspunkter för dialogen.",
        "en": "The unit has no analysis of its own yet. The questions and the suggestions from "
              "the results below are starting points for the dialogue."},
    "analysis_narrative_intro": {
        "sv": "Enhetens egen analys, skriven av chef, medarbetare, skyddsombud och HR.",
        "en": "The unit's own analysis, written by the manager, employees, the safety "
              "representative and HR."},
    "analysis_not_written": {"sv": "Inget skrivet under denna rubrik.",
                             "en": "Nothing written under this heading."},
    "action": {"sv": "Åtgärd", "en": "Action"},
    "action_owner": {"sv": "Ansvarig", "en": "Owner"},
    "action_due": {"sv": "Klart", "en": "Due"},
    "action_status": {"sv": "Status", "en": "Status"},
    "action_done": {"sv": "Genomförd", "en": "Done"},
    "action_open": {"sv": "Pågår", "en": "Open"},
    "action_overdue": {"sv": "Försenad", "en": "Overdue"},
    "escalations_heading": {"sv": "Behov som lyfts från underliggande enheter",
                            "en": "Needs raised by the units below"},
    "escalations_intro": {
        "sv": "Det som underliggande enheter skrivit under \"Finns behov som behöver lyftas till "
              "övergripande nivå?\" i sin analys {year}.",
        "en": "What the units below wrote under \"Are there needs that should be raised to a "
              "higher level?\" in their analysis {year}."},
    "escalations_none": {"sv": "Inga underliggande enheter har lyft behov till denna nivå.",
                         "en": "No unit below has raised a need to this level."},
    "escalation_from": {"sv": "Från", "en": "From"},
    "escalation_need": {"sv": "Behov", "en": "Need"},
    "followup_heading": {"sv": "Uppföljning av åtgärder från {year}",
                         "en": "Follow-up of actions from {year}"},
    "followup_intro": {"sv": "Åtgärder i enhetens analys {year} som inte är markerade som "
                             "genomförda.",
                       "en": "Actions in the unit's analysis {year} that are not marked as done."},
    "followup_none": {"sv": "Inga öppna åtgärder från {year}.",
                      "en": "No open actions from {year}."},
    "followup_no_narrative": {"sv": "Det finns ingen analys från {year} att följa upp.",
                              "en": "There is no analysis from {year} to follow up."},
    "targets_heading": {"sv": "Mål och indikatorer", "en": "Targets and indicators"},
    "targets_org_caption": {"sv": "Organisationens målvärden", "en": "Organisation-wide targets"},
    "targets_unit_caption": {"sv": "Enhetens målvärden", "en": "The unit's targets"},
    "targets_units_caption": {"sv": "Enheternas målvärden", "en": "Targets of the units"},
    "target_indicator": {"sv": "Indikator", "en": "Indicator"},
    "target_value": {"sv": "Målvärde", "en": "Target"},
    "target_baseline": {"sv": "Nuläge {year}", "en": "Baseline {year}"},
    "target_baseline_col": {"sv": "Nuläge", "en": "Baseline"},
    "target_current": {"sv": "Utfall {year}", "en": "Result {year}"},
    "target_status": {"sv": "Status", "en": "Status"},
    "target_series": {"sv": "Över åren", "en": "Over the years"},
    "target_unit": {"sv": "Enhet", "en": "Unit"},
    "target_up": {"sv": "↑ öka", "en": "↑ increase"},
    "target_down": {"sv": "↓ minska", "en": "↓ decrease"},
    "target_by": {"sv": "{value} ({year})", "en": "{value} ({year})"},
    "status_met": {"sv": "Uppnått", "en": "Met"},
    "status_on_track": {"sv": "På väg", "en": "On track"},
    "status_off_track": {"sv": "Inte på väg", "en": "Off track"},
    "status_not_measurable": {"sv": "Ej mätbart (för få svar)",
                              "en": "Not measurable (too few responses)"},
    "status_no_data": {"sv": "Ej mätbart (uppgift saknas)", "en": "Not measurable (no data)"},
    "targets_rule": {
        "sv": "Uppnått: utfallet når målvärdet. På väg: utfallet ligger minst i nivå med en rak "
              "linje från nuläget till målvärdet vid målåret, eller (utan målår eller med bara en "
              "riktning) har rört sig åt rätt håll från nuläget. Ej mätbart: gruppen eller "
              "enheten har för få svar, så inget värde visas.",
        "en": "Met: the result reaches the target. On track: the result is at least at a straight "
              "line from the baseline to the target at the target year, or (without a target "
              "year, or with only a direction) has moved the right way from the baseline. Not "
              "measurable: the group or unit has too few responses, so no value is shown."},
}


def check_lang(lang: str) -> str:
    """Return `lang` if supported, else raise ValueError naming the allowed values."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(repr(x) for x in LANGS)}; got {lang!r}")
    return lang


def placeholders(text: str) -> set[str]:
    """The ``{field}`` names used in a text template."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def t(key: str, lang: str = "sv", **fmt: object) -> str:
    """The report text `key` in `lang`, with ``{placeholders}`` filled from `fmt`.

    Raises KeyError naming the key if it is not in `TEXTS` (or a placeholder is not given),
    ValueError if `lang` is not 'sv' or 'en'.

    >>> t("n_equals", "en", n=123)
    'n = 123'
    """
    check_lang(lang)
    if key not in TEXTS:
        raise KeyError(f"no report text with key {key!r} in hme_core.i18n.TEXTS")
    text = TEXTS[key][lang]
    missing = placeholders(text) - fmt.keys()
    if missing:
        raise KeyError(f"report text {key!r} needs placeholder(s) {sorted(missing)}")
    return text.format(**fmt)


def _is_missing(x: object) -> bool:
    """True for None, NaN, NaT and pd.NA (what suppressed or absent values look like)."""
    return x is None or (not isinstance(x, str) and bool(pd.isna(x)))


def round_half_up(x: float, decimals: int) -> Decimal:
    """`x` rounded half away from zero to `decimals` places, as an exact Decimal (see module)."""
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _format(d: Decimal, decimals: int, lang: str, plus: bool = False) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    body = format_decimal(abs(d), format=pattern, locale=LOCALES[check_lang(lang)])
    if d == 0:
        return body
    return (MINUS if d < 0 else "+" if plus else "") + body


def fmt_number(x: float | None, decimals: int = 1, lang: str = "sv") -> str:
    """A number with `decimals` places: '74,5' (sv) / '74.5' (en); NaN or None → '–'.

    Negative values use the minus sign U+2212; thousands use a no-break space (sv) or comma (en).
    """
    if _is_missing(x):
        return MISSING
    return _format(round_half_up(x, decimals), decimals, lang)  # type: ignore[arg-type]


def fmt_signed(x: float | None, decimals: int = 1, lang: str = "sv") -> str:
    """A difference with an explicit sign: '+3,9', '−2,1'; '0,0' when it rounds to zero."""
    if _is_missing(x):
        return MISSING
    return _format(round_half_up(x, decimals), decimals, lang, plus=True)  # type: ignore[arg-type]


def fmt_percent(share: float | None, decimals: int = 1, lang: str = "sv") -> str:
    """A share in 0–1 as a percentage: '74,5 %' (sv, no-break space before %) / '74.5%' (en)."""
    if _is_missing(share):
        return MISSING
    number = fmt_number(float(share) * 100, decimals, lang)  # type: ignore[arg-type]
    return number + (NBSP + "%" if lang == "sv" else "%")


def fmt_int(n: int | None, lang: str = "sv") -> str:
    """A count with grouped thousands: '9 597' (sv, no-break space) / '9,597' (en)."""
    return fmt_number(n, 0, lang)


def fmt_date(date: dt.date, lang: str = "sv") -> str:
    """A date in long form: '23 november 2026' (sv) / '23 November 2026' (en)."""
    return format_date(date, format="long", locale=LOCALES[check_lang(lang)])


def trend_arrow(diff: float | None, decimals: int = 1) -> str:
    """'▲' up, '▼' down, '=' when `diff` rounds (half up) to zero at `decimals` places.

    Missing → '–'. Consistent with `fmt_signed`: an arrow never sits next to '0,0'.
    """
    if _is_missing(diff):
        return MISSING
    d = round_half_up(diff, decimals)  # type: ignore[arg-type]
    return "▲" if d > 0 else "▼" if d < 0 else "="


# Swedish collation (CLDR 'sv'): å < ä < ö after z; æ sorts as ä, ø/œ as ö, ü as y; other
# accents are ignored. Private-use code points keep å, ä, ö after every folded letter.
_SV_LAST = {"å": "\U000f0001", "ä": "\U000f0002", "æ": "\U000f0002", "ö": "\U000f0003",
            "ø": "\U000f0003", "œ": "\U000f0003", "ü": "y"}
_EN_FOLD = {"æ": "ae", "ø": "o", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d"}


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sort_key(text: str, lang: str = "sv") -> tuple[str, str]:
    """A key for locale-aware, case-insensitive sorting of names.

    Swedish: å, ä, ö after z in that order; English: accents folded (Å sorts with A). Ties
    are broken by the original text so the order is deterministic.

    >>> sorted(["Örebro", "Alingsås", "Åre", "Ystad", "Ängelholm"], key=sort_key)
    ['Alingsås', 'Ystad', 'Åre', 'Ängelholm', 'Örebro']
    """
    folded = unicodedata.normalize("NFC", str(text)).casefold()
    table = _SV_LAST if check_lang(lang) == "sv" else _EN_FOLD
    folded = "".join(table.get(c, c) for c in folded)
    return _strip_accents(folded), str(text)
