"""Writing a narrative file from answers (hme_core/narratives/writer.py · write_sections,
format_action): what the HR page saves is read back by the parser the reports use, word for word,
and nothing else in the file is lost."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hme_core.narratives.files import Action, parse_action, parse_actions, parse_narrative
from hme_core.narratives.writer import format_action, write_sections

FILE = """# Analys och dialog 2025 – Avdelning 1

<!--
Enhet a1, år 2025. Skriv enhetens egen analys.
-->

## Vad är viktigt att bevara?

<!-- Frågor att utgå från:
- Vad är vi nöjda med?
## Åtgärder
-->

Gammal text om samarbetet.

## Vad behöver förbättras och åtgärdas?

Arbetsbelastningen.

### Egen underrubrik

Hör till förbättra.

## Åtgärder

- Gammal åtgärd (ansvarig: Chef, klart: 2025)
"""


def test_answers_replace_their_sections_and_read_back_exactly():
    answers = {"keep": "Vi är stolta över samarbetet – åäö ÅÄÖ.\n\n- Tydliga mål\n- Förtroende",
               "actions": "- Inför månatliga målavstämningar (ansvarig: Enhetschef, klart: 2026)"}
    text = write_sections(FILE, answers)
    parsed = parse_narrative(text)
    assert parsed.text("keep") == answers["keep"]
    assert parsed.text("actions") == answers["actions"]
    # the section not answered stays word for word, with its own sub-heading
    assert parsed.text("improve") == parse_narrative(FILE).text("improve")
    assert "### Egen underrubrik\n\nHör till förbättra." in text
    # the title, the help comment and the questions' comment (with its heading-like line) stay
    assert text.startswith("# Analys och dialog 2025 – Avdelning 1\n\n<!--\nEnhet a1, år 2025.")
    assert "<!-- Frågor att utgå från:\n- Vad är vi nöjda med?\n## Åtgärder\n-->" in text
    assert "Gammal text" not in text and "Gammal åtgärd" not in text


def test_a_missing_summary_goes_first_and_missing_questions_before_the_actions():
    text = write_sections("# T\n\n## Åtgärder\n\n- A\n", {"summary": "Kort.", "escalate": "Lyft."})
    assert text == ("# T\n\n## Sammanfattning\n\nKort.\n\n"
                    "## Finns behov som behöver lyftas till övergripande nivå?\n\nLyft.\n\n"
                    "## Åtgärder\n\n- A\n")
    parsed = parse_narrative(text)
    assert (parsed.text("summary"), parsed.text("escalate"), parsed.text("actions")) == (
        "Kort.", "Lyft.", "- A")


def test_a_new_file_has_the_title_and_the_sections_in_the_reports_order():
    text = write_sections("", {"summary": "S", "keep": "K", "improve": "", "escalate": "E",
                               "actions": "- X"}, title="Analys 2025 – Avdelning 1")
    assert text == ("# Analys 2025 – Avdelning 1\n\n## Sammanfattning\n\nS\n\n"
                    "## Vad är viktigt att bevara?\n\nK\n\n"
                    "## Vad behöver förbättras och åtgärdas?\n\n"
                    "## Finns behov som behöver lyftas till övergripande nivå?\n\nE\n\n"
                    "## Åtgärder\n\n- X\n")


def test_english_headings_and_action_keys():
    text = write_sections("", {"keep": "K", "actions": format_action(
        Action("Monthly check-ins", "Manager", 2026), "en")}, "en", "T")
    assert "## What is important to keep?" in text
    assert "- Monthly check-ins (owner: Manager, due: 2026)" in text
    assert parse_narrative(text).actions == [Action("Monthly check-ins", "Manager", 2026)]


def test_a_repeated_heading_is_written_once_with_the_answer():
    # the parser joins both "keep" sections into one text; the page shows and saves that text
    source = "# T\n## Bevara\nett\n## Förbättra\nx\n## Bevara\ntvå\n"
    assert parse_narrative(source).text("keep") == "ett\n\ntvå"
    text = write_sections(source, {"keep": "ett\n\ntvå"})
    assert text.count("## Bevara") == 1
    assert parse_narrative(text).text("keep") == "ett\n\ntvå"
    assert parse_narrative(text).text("improve") == "x"


def test_format_action_round_trips_through_parse_action():
    for action in (Action("Ny introduktion", "HR-partner Åsa", 2025, True),
                   Action("Utan ägare"), Action("Bara år", due=2027),
                   Action("Möte (se planen) varje vecka", "Chef")):
        assert parse_action(format_action(action)[2:]) == action


def test_an_owner_with_commas_or_parentheses_is_kept_readable_and_parseable():
    line = format_action(Action("Gör det", "Chef (HR), skyddsombud", 2026))
    assert line == "- Gör det (ansvarig: Chef [HR] / skyddsombud, klart: 2026)"
    assert parse_actions(line) == [Action("Gör det", "Chef [HR] / skyddsombud", 2026)]


_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\r<#`~\x00",
                              exclude_categories=("Cs", "Cc")) | st.just("\n"), max_size=80)


@settings(max_examples=150, deadline=None)
@given(keep=_TEXT, improve=_TEXT, summary=_TEXT)
def test_any_plain_text_reads_back_as_written(keep, improve, summary):
    answers = {"keep": keep, "improve": improve, "summary": summary}
    parsed = parse_narrative(write_sections(FILE, answers))
    for key, value in answers.items():
        assert parsed.text(key) == value.strip("\n")


def test_free_sections_the_intro_and_near_miss_headings_are_kept_as_written():
    source = ("# Analys och dialog 2025 – Lyftteamet\n\nInledning från APT.\n\n"
              "## Vad är viktigt att behålla?\n\ngammalt\n\n"
              "## Övrigt från APT\n\nFri text som ingen fråga har.\n\n"
              "## Sammanfatning\n\nKort.\n")
    before = parse_narrative(source)
    assert before.text("keep") == "gammalt" and before.summary == "Kort."
    text = write_sections(source, {"keep": "nytt – åäö", "summary": "Kort."})
    after = parse_narrative(text)
    assert after.text("keep") == "nytt – åäö"
    assert after.intro == before.intro == "Inledning från APT."
    assert after.free == before.free == [("Övrigt från APT", "Fri text som ingen fråga har.")]
    assert "## Vad är viktigt att behålla?\n\nnytt – åäö" in text  # the heading as HR wrote it
    assert "## Sammanfatning\n\nKort." in text and "## Sammanfattning" not in text
