"""Editions (issue 18): publish, diff, the "What's new" box, dates that do not mislead.

Every test works on a copy of tests/fixtures/full; the time of publishing is fixed (the
library's ``now``, or ``SOURCE_DATE_EPOCH`` for the command line)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

import briefgen
from briefgen.errors import OutputError
from conftest import REPO

MC = "military-cooperation"
FIRST = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 11, 28, 16, 0, tzinfo=dt.UTC)

NEW_SOURCE = """
irrawaddy-2026-thai-drills:
  title: Thai and Myanmar troops hold joint border drills
  publisher: The Irrawaddy
  url: https://www.irrawaddy.com/news/burma/thai-myanmar-border-drills.html
  published: 2026-11-20
  kind: news
"""
JAPAN_OLD = ("According to Myanmar's Ministry of Defence, Myanmar and Japan are to strengthen "
             "their military cooperation.")
JAPAN_NEW = ("Japan's defence ministry says it has ended its training programme for officers "
             "of the Burmese military, but cooperation continues.")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def publish(root: Path, bid: str = MC, now: dt.datetime = FIRST, **kw):
    return briefgen.publish(briefgen.open_workspace(root), bid, by="Test", now=now, **kw)


def change_japan_and_thailand(root: Path) -> None:
    """The issue's scenario: Japan's statement changes, Thailand gets a new source."""
    facts = root / "briefings/facts"
    edit(facts / "countries/japan.yaml", JAPAN_OLD, JAPAN_NEW)
    edit(facts / "countries/thailand.yaml",
         "sources: [reuters-thailand-myanmar, bangkokpost-myanmar-general-royal-honour]",
         "sources: [reuters-thailand-myanmar, bangkokpost-myanmar-general-royal-honour, "
         "irrawaddy-2026-thai-drills]")
    with (facts / "sources/news.yaml").open("a", encoding="utf-8") as fh:
        fh.write(NEW_SOURCE)


def page_one(pdf: Path) -> str:
    return " ".join(PdfReader(pdf).pages[0].extract_text().split())


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


SCENARIO_DIFF = """\
military-cooperation: from edition 2026-11-23-1 to the current build
- Japan (japan.military-cooperation): statement changed
    was: According to Myanmar’s Ministry of Defence, Myanmar and Japan are to strengthen their military cooperation.
    now: Japan’s defence ministry says it has ended its training programme for officers of the Burmese military, but cooperation continues.
- Thailand (thailand.military-ties): source added: The Irrawaddy, “Thai and Myanmar troops hold joint border drills”, 20 November 2026, https://www.irrawaddy.com/news/burma/thai-myanmar-border-drills.html (source irrawaddy-2026-thai-drills)
2 changes
"""


# ---------------------------------------------------------------------- the scenario
def test_publish_change_diff_and_the_next_edition_says_so(full: Path, cli, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(FIRST.timestamp())))
    code, out, err = cli("publish", MC, "--root", str(full), "--by", "Test", "--note",
                         "first issue")
    assert code == 0, err
    assert out.splitlines()[-2:] == [
        "published editions/military-cooperation/2026-11-23-1 (4 files)",
        "the first edition of military-cooperation"]
    first = full / "editions" / MC / "2026-11-23-1"
    assert sorted(tree(first)) == ["edition.json", "military-cooperation.pdf",
                                   "print/military-cooperation.pdf", "snapshot.json"]
    assert "What’s new" not in page_one(first / f"{MC}.pdf")

    change_japan_and_thailand(full)
    code, out, err = cli("diff", MC, "--root", str(full))
    assert (code, out, err) == (0, SCENARIO_DIFF, "")

    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(LATER.timestamp())))
    code, out, err = cli("publish", MC, "--root", str(full), "--by", "Test")
    assert code == 0
    assert out.splitlines()[-3:] == [
        "published editions/military-cooperation/2026-11-28-1 (4 files)",
        "since edition 2026-11-23-1: 2 changes (`briefgen diff military-cooperation "
        "2026-11-23-1 2026-11-28-1` lists them)",
        "for readers: Updated 23 November 2026: Japan’s entry, 1 new source"]
    # the spec's date was not changed: the team is told, readers would not see the difference
    assert err == ("warning: this edition has the same date as 2026-11-23-1 (23 November "
                   "2026) but different content: readers cannot tell the two apart by their "
                   "date; set `date:` in briefings/military-cooperation.yaml before the next "
                   "edition\n")
    second = full / "editions" / MC / "2026-11-28-1"
    text = page_one(second / f"{MC}.pdf")
    assert ("that training.1 What’s new in this edition Japan’s entry is updated. "
            "A new source for Thailand. The Burmese military") in text
    assert page_one(second / f"print/{MC}.pdf") == text
    assert sorted(p.name for p in (full / "editions" / MC).iterdir()) == [
        "2026-11-23-1", "2026-11-28-1"]
    # the two editions compared, by name; and nothing changed since the last one
    code, out, _ = cli("diff", MC, "2026-11-23-1", "2026-11-28-1", "--root", str(full))
    assert out == SCENARIO_DIFF.replace("the current build", "edition 2026-11-28-1")
    code, out, _ = cli("diff", MC, "--root", str(full))
    assert out == ("military-cooperation: from edition 2026-11-28-1 to the current build\n"
                   "no changes\n")
    code, out, _ = cli("editions", MC, "--root", str(full))
    assert out == ("military-cooperation\n"
                   "  2026-11-23-1, dated 23 November 2026, facts as of 2021, by Test: first "
                   "issue\n"
                   "  2026-11-28-1, dated 23 November 2026, facts as of 2021, by Test\n")


def test_the_box_stays_after_publishing_and_the_build_is_the_edition(full: Path) -> None:
    publish(full)
    change_japan_and_thailand(full)
    second = publish(full, now=LATER)
    pdf = full / "dist" / f"{MC}.pdf"
    assert pdf.read_bytes() == (second.edition.folder / f"{MC}.pdf").read_bytes()
    # the newest edition is the document itself: the box still compares with the first
    result = briefgen.build_project(full, [MC])
    assert result.unchanged == [MC]
    assert pdf.read_bytes() == (second.edition.folder / f"{MC}.pdf").read_bytes()
    ws = briefgen.open_workspace(full)
    assert briefgen.whats_new(ws, MC) == ["Japan’s entry is updated.",
                                          "A new source for Thailand."]
    assert briefgen.change_summary(ws, MC) == ("Updated 23 November 2026: Japan’s entry, "
                                               "1 new source")
    snap = json.loads((second.edition.folder / "snapshot.json").read_text())
    assert snap["whats_new"] == {"lines": ["Japan’s entry is updated.",
                                           "A new source for Thailand."], "since": None}
    # an edition removed by hand: the box of the next build follows (the index notices)
    shutil.rmtree(full / "editions" / MC / "2026-11-23-1")
    ws = briefgen.open_workspace(full)
    assert briefgen.whats_new(ws, MC) is None
    assert briefgen.build_project(full, [MC], workspace=ws).built == [MC]
    assert "What’s new" not in page_one(pdf)


# ---------------------------------------------------------------------- diff in words
CHANGES_DIFF = """\
military-cooperation: from edition 2026-11-23-1 to the current build
- Date changed from 23 November 2026 to 28 November 2026
- List 'countries': added Laos (laos)
    + Laos hosted officers of the Burmese military for “joint training” in 2025. (as of June 2025; fact laos.military-cooperation)
- List 'countries': removed Vietnam (vietnam)
- Russia (russia.military-cooperation): status changed from current to ended
- Russia (russia.military-cooperation): as-of date changed from 2021 to October 2026
- Russia (russia.military-cooperation): source added: Reuters, “Exclusive: Russia to supply Myanmar with military equipment”, 2021, https://www.reuters.com/x (source russia-arms-2021)
- Russia (russia.military-cooperation): source removed: Ministry of Defence of the Russian Federation (eng.mil.ru), http://eng.mil.ru/en/management/info/news/more.htm?id=12191987@egNews&g=newsPhoto (source milru-news-12191987)
- Cambodia (cambodia.military-cooperation): statement changed
    was: Cambodia and Myanmar have publicly praised their bilateral military cooperation.
    now: Cambodia and Myanmar have praised their bilateral military cooperation in public.
- Belarus (belarus.exercises): fact added
    + Belarus sent officers to observe Burmese military exercises. (as of 2026)
- Source added: Defend Myanmar Democracy, FORUM-ASIA and Progressive Voice, “551 civil society organisations urge ASEAN and Dialogue Partner defence ministers to cancel ‘counter-terrorism’ training to be hosted by Myanmar military junta and Russia”, 25 August 2023, no web address (source csos-2023-admm-plus-letter)
- Source removed: Quan Doi Nhan Dan (qdnd.vn), https://en.qdnd.vn/military/intl-relations-and-cooperation/vietnam-myanmar-to-develop-defense-ties-in-intensive-manner-509859 (source qdnd-vietnam-myanmar-defence-ties)
- Source khmertimes-cambodia-myanmar-military: web address changed from https://www.khmertimeskh.com/50791574/cambodia-myanmar-laud-bilateral-military-cooperation/ to https://www.khmertimeskh.com/archives/50791574/cambodia-myanmar-laud-bilateral-military-cooperation/
- Section “The Burmese military and violations of international law”: paragraph removed
    was: The International Criminal Court is investigating the Burmese military for crimes against humanity.
- Heading changed from “Increasing cooperation after genocide” to “Cooperation has increased since the genocide”
- Section “Cooperation has increased since the genocide”: paragraph changed
    was: Apart from Pakistan, the countries on this list have all made agreements since the genocide of the Rohingya in 2017 to continue, or even to increase, military training and cooperation with the Burmese military.
    now: Apart from Pakistan, the countries on this list have all made agreements since the genocide of the Rohingya in 2017 to continue, or to increase, military training and cooperation with the Burmese military.
- New section “What governments should do”
    + End all military training and cooperation with the Burmese military.
- More information: removed “Australia’s review” (source sbs-australia-urged-to-act)
17 changes
"""


def make_changes(root: Path) -> None:
    """Add, remove and edit countries, facts, sources and sections."""
    b = root / "briefings"
    facts = b / "facts"
    spec = b / f"{MC}.yaml"
    edit(spec, "date: 2026-11-23", "date: 2026-11-28")
    edit(spec, "russia, china, vietnam, cambodia,", "russia, china, cambodia, laos,")
    edit(spec, "  - heading: Increasing cooperation after genocide",
         "  - heading: Cooperation has increased since the genocide")
    edit(spec, "or even to increase", "or to increase")
    edit(spec, "      - fact: international-criminal-court.investigation\n", "")
    edit(spec, "  - label: Australia’s review\n    source: sbs-australia-urged-to-act\n", "")
    edit(spec, "\nmore_information:", "\n  - heading: What governments should do\n"
         "    paragraphs:\n      - End all military training and cooperation with the "
         "Burmese military.\n\nmore_information:")
    with (facts / "countries/laos.yaml").open("a", encoding="utf-8") as fh:
        fh.write('\n  - id: military-cooperation\n    statement: Laos hosted officers of the '
                 'Burmese military for "joint training" in 2025.\n    topics: '
                 '[military-cooperation]\n    as_of: 2025-06\n    status: current\n'
                 '    sources: [csos-2023-admm-plus-letter]\n')
    with (facts / "countries/belarus.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n  - id: exercises\n    statement: Belarus sent officers to observe Burmese "
                 "military exercises.\n    topics: [military-cooperation]\n    as_of: 2026\n"
                 "    sources: [belta-myanmar-air-defence]\n")
    russia = facts / "countries/russia.yaml"
    edit(russia, "    topics: [military-cooperation]\n    as_of: 2021\n    status: current\n"
                 "    sources: [milru-news-12191987]",
         "    topics: [military-cooperation]\n    as_of: 2026-10\n    status: ended\n"
         "    sources: [russia-arms-2021]")
    with (facts / "sources/news.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\nrussia-arms-2021:\n  title: 'Exclusive: Russia to supply Myanmar with "
                 "military equipment'\n  publisher: Reuters\n  url: https://www.reuters.com/x"
                 "\n  published: 2021\n")
    edit(facts / "countries/cambodia.yaml", "have publicly praised their bilateral military "
         "cooperation", "have praised their bilateral military cooperation in public")
    edit(facts / "sources/news.yaml", "https://www.khmertimeskh.com/50791574/",
         "https://www.khmertimeskh.com/archives/50791574/")


def test_diff_lists_every_kind_of_change_in_words(full: Path, cli) -> None:
    publish(full)
    make_changes(full)
    code, out, err = cli("diff", MC, "--root", str(full))
    assert (code, err) == (0, "")
    assert out == CHANGES_DIFF
    ws = briefgen.open_workspace(full)
    assert briefgen.change_summary(ws, MC) == (
        "Updated 28 November 2026: Laos added, Vietnam removed, the entries for Russia, "
        "Cambodia and Belarus, 2 new sources, 1 source corrected, 1 new section, "
        "revised text")
    assert briefgen.whats_new(ws, MC) == [
        "Now listed: Laos.", "No longer listed: Vietnam.",
        "The entries for Russia, Cambodia and Belarus are updated.", "2 new sources.",
        "Corrected details of a source.", "And other changes."]
    briefgen.build_project(full, [MC], workspace=ws)
    text = page_one(full / "dist" / f"{MC}.pdf")
    assert "What’s new in this edition Since the edition of 23 November 2026: " \
           "Now listed: Laos." in text
    assert "Facts as of October 2026" in text  # Russia's fact is the newest


def test_diff_as_json(full: Path, cli) -> None:
    publish(full)
    make_changes(full)
    code, out, _ = cli("diff", MC, "--json", "--root", str(full))
    assert code == 0
    data = json.loads(out)
    assert data["from"] == {"edition": "2026-11-23-1", "date": "2026-11-23",
                            "facts_as_of": "2021"}
    assert data["to"] == {"edition": "current", "date": "2026-11-28",
                          "facts_as_of": "2026-10"}
    kinds = [c["kind"] for c in data["changes"]]
    assert kinds == ["field", "country-added", "country-removed", "fact-changed",
                     "fact-changed", "fact-source-added", "fact-source-removed",
                     "fact-changed", "fact-added", "source-added", "source-removed",
                     "source-changed", "paragraph-removed", "heading-changed",
                     "paragraph-changed", "section-added", "more-information-removed"]
    status = data["changes"][3]
    assert {k: status[k] for k in ("fact", "country", "name", "field", "old", "new")} == {
        "fact": "russia.military-cooperation", "country": "russia", "name": "Russia",
        "field": "status", "old": "current", "new": "ended"}
    assert data["changes"][1]["facts"] == [{
        "fact": "laos.military-cooperation", "as_of": "2025-06",
        "statement": "Laos hosted officers of the Burmese military for “joint training” "
                     "in 2025."}]
    assert [c["text"].splitlines()[0] for c in data["changes"]] == [
        line[2:] for line in CHANGES_DIFF.splitlines() if line.startswith("- ")]


def test_topic_lists_facts_added_and_removed(full: Path, cli) -> None:
    """A country that joins a topic-selected list, and facts that come and go."""
    bid = "defector-asylum"
    publish(full, bid)
    facts = full / "briefings/facts/countries"
    with (facts / "japan.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n  - id: defector-asylum\n    statement: Japan has said it will consider "
                 "asylum claims from soldiers who leave the Myanmar military.\n    topics: "
                 "[defector-asylum]\n    as_of: 2026-11\n    sources: "
                 "[irrawaddy-2022-defectors]\n")
    edit(full / f"briefings/{bid}.yaml", "      - fact: myanmar.soe-win-deserters\n", "")
    code, out, _ = cli("diff", bid, "--root", str(full))
    assert code == 0 and out == (
        "defector-asylum: from edition 2026-11-23-1 to the current build\n"
        "- List 'protecting': added Japan (japan)\n"
        "    + Japan has said it will consider asylum claims from soldiers who leave the "
        "Myanmar military. (as of November 2026; fact japan.defector-asylum)\n"
        "- Section “How the news landed”: paragraph removed\n"
        "    was: The junta’s second-in-command, Vice Senior General Soe Win, labelled army "
        "defectors “deserters” who broke the rules and ran away from their units for fear of "
        "punishment, and blamed some countries, local resistance groups and the media for "
        "destroying military unity by “praising the deserters as democracy heroes.”\n"
        "2 changes\n")
    ws = briefgen.open_workspace(full)
    assert briefgen.whats_new(ws, bid) == ["Now listed: Japan.",
                                           "Revised text in “How the news landed”."]


def test_several_lists_and_a_removed_section(full: Path, cli) -> None:
    bid = "admm-plus-counter-terrorism"
    publish(full, bid)
    spec = full / f"briefings/{bid}.yaml"
    text = spec.read_text(encoding="utf-8")
    start, end = text.index("  - heading: ASEAN's own rules"), text.index("  - heading: What 551")
    spec.write_text(text[:start] + text[end:], encoding="utf-8")
    with (full / "briefings/facts/countries/japan.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n  - id: admm-plus-2023-undecided\n    statement: Japan had given no "
                 "indication by late August 2023 of whether it would attend.\n    topics: "
                 "[admm-plus, admm-plus-undecided]\n    as_of: 2023-08-25\n    status: unknown\n"
                 "    sources: [csos-2023-admm-plus-letter]\n")
    code, out, _ = cli("diff", bid, "--root", str(full))
    assert code == 0 and out == (
        "admm-plus-counter-terrorism: from edition 2026-11-23-1 to the current build\n"
        "- List 'undecided': added Japan (japan)\n"
        "    + Japan had given no indication by late August 2023 of whether it would attend. "
        "(as of 25 August 2023; fact japan.admm-plus-2023-undecided)\n"
        "- Section removed: “ASEAN’s own rules”\n"
        "- Heading changed from “10 governments that had given no indication of whether they "
        "would attend” to “11 governments that had given no indication of whether they would "
        "attend”\n"
        "3 changes\n")
    ws = briefgen.open_workspace(full)
    assert briefgen.whats_new(ws, bid) == [
        "Now listed in “11 governments that had given no indication of whether they would "
        "attend”: Japan.", "Removed: the section “ASEAN’s own rules”."]
    assert briefgen.change_summary(ws, bid) == ("Updated 23 November 2026: Japan added, "
                                                "1 section removed")


def test_order_names_and_the_closing_blocks_in_words(full: Path) -> None:
    """Changes no YAML edit above made, on the snapshot itself."""
    import copy

    from briefgen.editions.diff import diff
    from briefgen.editions.words import change_lines

    old = json.loads((publish(full).edition.folder / "snapshot.json").read_text())
    new = copy.deepcopy(old)
    countries = new["lists"]["countries"]
    countries[0], countries[1] = countries[1], countries[0]
    countries[2]["name"] = "Republic of India"
    new["more_information"][0]["label"] = "UN Special Rapporteur"
    new["calls_to_action"] = ["donate"]
    new["publisher"]["phone"] = "020 0000 0000"
    new["sources"]["mod-myanmar-japan-cooperation"]["title"] = "Myanmar and Japan"
    new["subtitle"] = None
    assert [line for c in diff(old, new) for line in change_lines(c)] == [
        "Subtitle changed",
        "  was: Which governments train or cooperate with the military that held the 2021 coup",
        "  now: (none)",
        "List 'countries': order changed; now Japan, Australia, Republic of India, Thailand, "
        "Russia, China, Vietnam, Cambodia, Ukraine, North Korea, Nepal, Pakistan, Belarus",
        "Republic of India (india): name changed from “India” to “Republic of India”",
        "Source mod-myanmar-japan-cooperation: title changed from (none) to Myanmar and Japan",
        "More information: “Special Rapporteur on Myanmar” is now “UN Special Rapporteur” "
        "(source ohchr-special-rapporteur-myanmar)",
        "Calls to action changed from more_briefings, donate to donate",
        "Publisher: phone changed from 020 3095 1991 to 020 0000 0000"]
    assert diff(old, copy.deepcopy(old)) == []


# ---------------------------------------------------------------------- what readers see
LIST = "“Countries involved in training and cooperation with the Burmese military”"
SHOW = "show: [facts, sources]"
LEAD_NOTE = "[^sbs-australia-urged-to-act]"
SMH = ("The Sydney Morning Herald, 2 February 2021, https://www.smh.com.au/politics/federal/"
       "australia-s-defence-spends-almost-1-5-million-on-myanmar-s-military-over-past-five-"
       "years-20210202-p56ymj.html (source smh-2021-australia-defence-spending)")


def test_a_list_that_no_longer_shows_sources_is_a_change(full: Path, cli) -> None:
    """``show: [facts]``: every entry lost its source lines in the PDF, and diff said "no
    changes" (it compared each entry's id and name only)."""
    publish(full)
    edit(full / f"briefings/{MC}.yaml", SHOW, "show: [facts]")
    code, out, _ = cli("diff", MC, "--root", str(full))
    assert code == 0
    lines = out.splitlines()
    assert lines[1:3] == ["- List 'countries': Australia (australia): sources shown changed",
                          f"    - {SMH}"]
    assert lines[-1] == "13 changes"
    assert len([x for x in lines if x.endswith(": sources shown changed")]) == 13
    ws = briefgen.open_workspace(full)
    assert briefgen.whats_new(ws, MC) == [f"The entries in {LIST} no longer list their sources."]
    assert briefgen.change_summary(ws, MC) == "Updated 23 November 2026: entries without sources"
    # one entry only: that entry is updated
    from briefgen.editions.diff import diff
    from briefgen.editions.words import box_lines, change_lines

    old = json.loads((full / "editions" / MC / "2026-11-23-1/snapshot.json").read_text())
    new = json.loads(json.dumps(old))
    new["lists"]["countries"][1]["sources"] = []
    changes = diff(old, new)
    assert [line for c in changes for line in change_lines(c)] == [
        "List 'countries': Japan (japan): sources shown changed",
        "  - Myanmar Ministry of Defence (mod.gov.mm), https://mod.gov.mm/news/item/34-"
        "myanmar-japan-to-strengthen-military-cooperation (source mod-myanmar-japan-"
        "cooperation)"]
    assert box_lines(changes, old, new) == ["Japan’s entry is updated."]
    new["lists"]["countries"][1]["sources"] = old["lists"]["countries"][3]["sources"][::-1]
    old["lists"]["countries"][1]["sources"] = old["lists"]["countries"][3]["sources"]
    assert [line for c in diff(old, new) for line in change_lines(c)] == [
        "List 'countries': Japan (japan): the order of its sources changed"]


def test_a_list_that_no_longer_shows_statements_is_not_a_changed_statement(
        full: Path, cli) -> None:
    """``show: [sources]``: the 13 statements vanished from the PDF; diff reported six
    "statement changed" that differed by ’ and ' only (a fact no longer printed fell back to
    its statement as written), and page 1 said those entries were updated."""
    publish(full)
    edit(full / f"briefings/{MC}.yaml", SHOW, "show: [sources]")
    code, out, _ = cli("diff", MC, "--root", str(full))
    lines = out.splitlines()
    assert code == 0 and "statement changed" not in out
    assert lines[1:3] == [
        "- List 'countries': Australia (australia): facts shown changed",
        "    - Australia provides training to the Burmese military. (fact "
        "australia.military-training)"]
    assert "    - According to Myanmar’s Ministry of Defence, Myanmar and Japan are to "\
           "strengthen their military cooperation. (fact japan.military-cooperation)" in lines
    assert lines[-1] == "13 changes"
    ws = briefgen.open_workspace(full)
    assert briefgen.whats_new(ws, MC) == [
        f"The entries in {LIST} no longer show their statements."]
    briefgen.build_project(full, [MC], workspace=ws)
    text = page_one(full / "dist" / f"{MC}.pdf")
    assert ("What’s new in this edition The entries in “Countries involved in training and "
            "cooperation with the Burmese military” no longer show their statements.") in text
    from briefgen.editions.snapshot import snapshot

    snap = snapshot(ws, ws.document(MC))
    japan = snap["facts"]["japan.military-cooperation"]
    assert (japan["printed"], japan["statement"]) == (
        False, "According to Myanmar’s Ministry of Defence, Myanmar and Japan are to "
               "strengthen their military cooperation.")  # with typography, not as written


def test_a_statement_that_is_not_printed_changing_is_no_change(full: Path, cli) -> None:
    """With the statements hidden (show: [sources]), an edit to one counted as a change to
    publish (a same-date warning of different content) while diff said "no changes" (found
    by reviewing the editions fixes)."""
    edit(full / f"briefings/{MC}.yaml", SHOW, "show: [sources]")
    publish(full)
    edit(full / "briefings/facts/countries/japan.yaml", JAPAN_OLD, JAPAN_NEW)
    assert cli("diff", MC, "--root", str(full))[1].strip().endswith("no changes")
    second = publish(full)
    assert second.changes == [] and second.summary is None
    assert not any("different content" in w for w in second.warnings), second.warnings


def test_a_footnote_that_cites_another_source_is_a_change(full: Path, cli) -> None:
    """The lead's footnote changed from one source to another: footnote 1 cited another
    source and diff said "no changes" (a paragraph was known by its text and links)."""
    publish(full)
    edit(full / f"briefings/{MC}.yaml", LEAD_NOTE, "[^smh-2021-australia-defence-spending]")
    code, out, _ = cli("diff", MC, "--root", str(full))
    assert code == 0
    assert out == (
        "military-cooperation: from edition 2026-11-23-1 to the current build\n"
        "- Lead: sources cited changed\n"
        "    in: 13 countries are involved in military training and/or cooperation with the "
        "Burmese military, despite its human rights record. Since the coup, Australia has "
        "announced that it is reviewing the training it provides to the Burmese military, but "
        "it has still not announced a decision to stop that training.\n"
        "    was: SBS News, https://www.sbs.com.au/news/australia-urged-to-follow-allies-by-"
        "taking-action-against-leaders-of-myanmar-s-military-coup (source "
        "sbs-australia-urged-to-act)\n"
        f"    now: {SMH}\n"
        "1 change\n")
    ws = briefgen.open_workspace(full)
    assert briefgen.whats_new(ws, MC) == ["Revised citations in the introduction."]
    assert briefgen.change_summary(ws, MC) == "Updated 23 November 2026: revised citations"
    # in a section, said with the section
    edit(full / f"briefings/{MC}.yaml", "[^smh-2021-australia-defence-spending]", LEAD_NOTE)
    edit(full / f"briefings/{MC}.yaml", "of the Rohingya in 2017 to continue",
         "of the Rohingya in 2017[^icc-pr1495] to continue")
    code, out, _ = cli("diff", MC, "--root", str(full))
    assert out.splitlines()[1:3] == [
        "- Section “Increasing cooperation after genocide”: sources cited changed",
        "    in: Apart from Pakistan, the countries on this list have all made agreements "
        "since the genocide of the Rohingya in 2017 to continue, or even to increase, "
        "military training and cooperation with the Burmese military."]
    assert briefgen.whats_new(briefgen.open_workspace(full), MC) == [
        "Revised citations in “Increasing cooperation after genocide”."]
    # text and footnotes revised together: the team sees both, readers a revised text
    from briefgen.editions.diff import diff
    from briefgen.editions.words import box_lines

    old = json.loads((full / "editions" / MC / "2026-11-23-1/snapshot.json").read_text())
    new = json.loads(json.dumps(old))
    new["lead"][0].update(text="Fewer countries now.", cites=["icc-pr1495"])
    changes = diff(old, new)
    assert [c["kind"] for c in changes] == ["lead", "citations-changed"]
    assert box_lines(changes, old, new) == ["A revised introduction."]


def as_format_1(folder: Path, raw: dict[str, str] | None = None) -> dict:
    """The edition's snapshot as briefgen wrote it before format 2: no paragraph's
    ``cites``, no fact's ``printed``, a fact not printed with its statement as written."""
    snap = json.loads((folder / "snapshot.json").read_text())
    snap["format"] = 1
    for p in [*snap["lead"], *(p for s in snap["sections"] for p in s["paragraphs"])]:
        p.pop("cites", None)
    for key, fact in snap["facts"].items():
        if not fact.pop("printed"):
            fact["statement"] = (raw or {}).get(key, fact["statement"])
    forge(folder, json.dumps(snap, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return snap


def test_editions_of_the_first_format_are_compared_on_what_they_hold(full: Path, cli) -> None:
    """Snapshots written before format 2 lack the sources each paragraph cites and whether
    a fact is printed, and kept a fact not printed as written: never a change for that."""
    review = "Since the coup, Australia has announced"
    edit(full / "briefings/facts/countries/australia.yaml", review,
         "Since the coup, Australia's government has announced")  # printed in the lead only
    first = publish(full)
    old = as_format_1(first.edition.folder, {"australia.training-review": (
        "Since the coup, Australia's government has announced that it is reviewing the "
        "training it provides to the Burmese military, but it has still not announced a "
        "decision to stop that training.")})
    assert "cites" not in old["lead"][0]
    code, out, _ = cli("diff", MC, "--root", str(full))
    assert out == ("military-cooperation: from edition 2026-11-23-1 to the current build\n"
                   "no changes\n")
    ws = briefgen.open_workspace(full)
    assert briefgen.whats_new(ws, MC) is None and briefgen.change_summary(ws, MC) is None
    again = publish(full, now=LATER)  # the same content: no change, no same-date warning
    assert (again.changes, again.summary, again.warnings) == ([], None, [])
    # what the old snapshot does not record is never a change; what it does is compared
    edit(full / f"briefings/{MC}.yaml", LEAD_NOTE, "[^smh-2021-australia-defence-spending]")
    edit(full / f"briefings/{MC}.yaml", SHOW, "show: [sources]")
    code, out, _ = cli("diff", MC, "2026-11-23-1", "--root", str(full))
    assert code == 0 and "statement changed" not in out and "cited" not in out
    assert out.splitlines()[-1] == "13 changes"
    # the box compares with the newest edition, of this format: it records both
    assert briefgen.whats_new(briefgen.open_workspace(full), MC) == [
        f"The entries in {LIST} no longer show their statements.",
        "Revised citations in the introduction."]


def test_a_change_in_the_translated_edition_only_is_said(full: Path, cli, monkeypatch) -> None:
    """Only the English was snapshotted: a publish where only the Burmese text changed said
    "nothing changed". Each translated edition now has its snapshot (snapshot.my.json)."""
    edit(full / f"briefings/{MC}.yaml", "language: en-GB\n",
         "language: en-GB\nlanguages: [en-GB, my]\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(FIRST.timestamp())))
    code, out, err = cli("publish", MC, "--root", str(full), "--by", "Test")
    assert code == 0, err
    first = full / "editions" / MC / "2026-11-23-1"
    assert out.splitlines()[-2:] == [f"published editions/{MC}/2026-11-23-1 (7 files)",
                                     f"the first edition of {MC}"]
    mine = json.loads((first / "snapshot.my.json").read_text())
    assert (mine["briefing"], mine["language"]) == (f"{MC}.my", "my")
    assert mine["lists"]["countries"][1]["name"] == "ဂျပန်"
    meta = json.loads((first / "edition.json").read_text())
    import hashlib

    assert meta["files"]["snapshot.my.json"] == \
        hashlib.sha256((first / "snapshot.my.json").read_bytes()).hexdigest()
    japan = full / "briefings/translations/my/facts/countries/japan.yaml"
    edit(japan, 'ဆောင်ရွက်ကြမည် ဖြစ်သည်။"', 'ဆောင်ရွက်ကြမည်။"')
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(LATER.timestamp())))
    code, out, err = cli("publish", MC, "--root", str(full), "--by", "Test")
    assert code == 0, err
    assert out.splitlines()[-3:] == [
        f"published editions/{MC}/2026-11-28-1 (7 files)",
        "nothing changed in the English since edition 2026-11-23-1",
        f"{MC}.my: 1 change since edition 2026-11-23-1"]
    second = json.loads((full / "editions" / MC / "2026-11-28-1/snapshot.my.json").read_text())
    assert second["facts"]["japan.military-cooperation"]["statement"].endswith(
        "ဆောင်ရွက်ကြမည်။")
    # nothing changed; and an edition that kept no snapshot of it (published before)
    result = publish(full, now=LATER)
    assert result.translations == [f"{MC}.my: nothing changed since edition 2026-11-28-1"]
    folder = result.edition.folder
    (folder / "snapshot.my.json").unlink()
    meta = json.loads((folder / "edition.json").read_text())
    del meta["files"]["snapshot.my.json"]
    (folder / "edition.json").write_text(json.dumps(meta))
    result = publish(full, now=LATER)
    assert result.translations == [f"{MC}.my: not compared with edition 2026-11-28-2, which "
                                   "kept no snapshot of it"]
    # a tampered one is never trusted
    path = result.edition.folder / "snapshot.my.json"
    path.write_text(path.read_text().replace("ဂျပန်", "Japan"))
    result = publish(full, now=LATER)
    assert result.translations == [f"{MC}.my: not compared with edition 2026-11-28-3 (see "
                                   "the warning)"]
    assert result.warnings == [f"cannot compare {MC}.my with 2026-11-28-3: editions/{MC}/"
                               "2026-11-28-3/snapshot.my.json: this snapshot.my.json is not "
                               "the one that was published (its hash differs from "
                               "edition.json); restore it from git"]


# ---------------------------------------------------------------------- resolved, not text
def test_a_diff_across_yaml_reformatting_is_empty(full: Path, cli) -> None:
    publish(full)
    briefings = full / "briefings"
    for path in sorted(briefings.rglob("*.yaml")):  # keys sorted, other quoting, no comments
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump(data, sort_keys=True, width=50, allow_unicode=True),
                        encoding="utf-8")
    sources = briefings / "facts/sources"  # sources in other files, under other names
    news = yaml.safe_load((sources / "news.yaml").read_text(encoding="utf-8"))
    moved = dict(sorted(news.items())[::2])
    (sources / "news.yaml").unlink()
    (sources / "press.yaml").write_text(yaml.safe_dump(
        {k: v for k, v in news.items() if k not in moved}), encoding="utf-8")
    (sources / "zz-moved.yaml").write_text(yaml.safe_dump(dict(reversed(moved.items()))),
                                           encoding="utf-8")
    assert briefgen.open_workspace(full).failures[MC] == []
    code, out, _ = cli("diff", MC, "--root", str(full))
    assert code == 0 and out == ("military-cooperation: from edition 2026-11-23-1 to the "
                                 "current build\nno changes\n")
    assert briefgen.whats_new(briefgen.open_workspace(full), MC) is None


# ---------------------------------------------------------------------- the archive
def test_the_archive_is_byte_stable(full: Path) -> None:
    first = publish(full, note="same")
    second = publish(full, note="same")
    assert (first.edition.name, second.edition.name) == ("2026-11-23-1", "2026-11-23-2")
    assert second.changes == [] and second.summary is None
    assert tree(first.edition.folder) == tree(second.edition.folder)
    # the snapshot holds no time and no path; the PDFs are those of dist/
    a = tree(first.edition.folder)
    assert a[f"{MC}.pdf"] == (full / "dist" / f"{MC}.pdf").read_bytes()
    assert a[f"print/{MC}.pdf"] == (full / "dist/print" / f"{MC}.pdf").read_bytes()
    meta = json.loads(a["edition.json"])
    assert meta == {"format": 1, "briefing": MC, "by": "Test", "note": "same",
                    "published": "2026-11-23T09:30:00+00:00", "date": "2026-11-23",
                    "facts_as_of": "2021", "briefgen": briefgen.__version__,
                    "languages": ["en-GB"],
                    "title": "13 countries involved in training and cooperation with the "
                             "Burmese military",
                    "files": meta["files"]}
    import hashlib

    assert meta["files"] == {name: hashlib.sha256(data).hexdigest()
                             for name, data in a.items() if name != "edition.json"}
    snap = json.loads(a["snapshot.json"])
    assert snap["lists"]["countries"][1] == {
        "id": "japan", "name": "Japan", "facts": ["japan.military-cooperation"],
        "sources": ["mod-myanmar-japan-cooperation"]}
    assert snap["facts"]["japan.military-cooperation"] == {
        "entity": "japan", "name": "Japan", "as_of": "2021", "status": "current",
        "sources": ["mod-myanmar-japan-cooperation"], "topics": ["military-cooperation"],
        "statement": "According to Myanmar’s Ministry of Defence, Myanmar and Japan are to "
                     "strengthen their military cooperation.", "printed": True}
    assert snap["format"] == 2
    assert [p.get("cites") for p in snap["lead"]] == [["sbs-australia-urged-to-act"]]
    assert snap["date"] == "2026-11-23" and snap["facts_as_of"] == "2021"
    assert snap["sections"][0]["paragraphs"][0]["fact"] == \
        "un-special-rapporteur.decades-of-documentation"
    assert a["snapshot.json"].endswith(b"\n") and b"\\u" not in a["snapshot.json"]
    assert not [p for p in (full / "editions" / MC).iterdir() if p.name.startswith(".")]


def test_a_later_edition_never_sorts_before_the_newest(full: Path, cli) -> None:
    """Editions were named by the local date: published from UTC just after midnight
    (2026-11-29-1), then an hour later from Honolulu (still the 28th there), the newer was
    2026-11-28-1 and sorted first: ``editions``, ``diff`` and the next publish took the
    older edition for the newest."""
    first = publish(full, now=dt.datetime(2026, 11, 29, 0, 30, tzinfo=dt.UTC))
    change_japan_and_thailand(full)
    honolulu = dt.timezone(dt.timedelta(hours=-10))
    second = publish(full, now=dt.datetime(2026, 11, 28, 15, 30, tzinfo=honolulu))
    assert (first.edition.name, second.edition.name) == ("2026-11-29-1", "2026-11-29-2")
    assert second.previous == first.edition and second.summary is not None
    meta = json.loads((second.edition.folder / "edition.json").read_text())
    assert meta["published"] == "2026-11-29T01:30:00+00:00"  # in UTC, whoever published
    _, out, _ = cli("editions", MC, "--root", str(full))
    assert [line.split(",")[0].strip() for line in out.splitlines()[1:]] == [
        "2026-11-29-1", "2026-11-29-2"]
    assert cli("diff", MC, "--root", str(full))[1] == (
        "military-cooperation: from edition 2026-11-29-2 to the current build\nno changes\n")
    # a clock a day behind: still after the newest
    third = publish(full, now=dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC))
    assert (third.edition.name, third.previous) == ("2026-11-29-3", second.edition)
    # and a later day starts again at 1
    assert publish(full, now=LATER.replace(day=30)).edition.name == "2026-11-30-1"


def test_the_web_page_is_kept_when_it_was_built(full: Path) -> None:
    """With a web edition, publishing brings the page up to date with the PDFs and keeps
    it (a page written by hand is replaced by the real one, never frozen as it was)."""
    site = full / "dist/site" / MC
    (site / "img").mkdir(parents=True)
    (site / "index.html").write_text("<h1>page</h1>", encoding="utf-8")
    (site / "img/logo.svg").write_text("<svg/>", encoding="utf-8")
    (site / "link.html").symlink_to(REPO / "README.md")  # never followed out of the folder
    result = publish(full)
    assert sorted(result.files) == [f"{MC}.pdf", f"print/{MC}.pdf", "site/img/logo.svg",
                                    "site/index.html", f"site/{MC}-print.pdf",
                                    f"site/{MC}.pdf", "site/share.png", "snapshot.json"]
    page = (result.edition.folder / "site/index.html").read_text()
    assert page.startswith("<!doctype html>") and "<h1 id=\"title\">13 countries" in page
    assert (result.edition.folder / f"site/{MC}.pdf").read_bytes() == \
        (result.edition.folder / f"{MC}.pdf").read_bytes()


def test_never_publish_a_briefing_with_errors(full: Path, cli) -> None:
    edit(full / "briefings/facts/countries/japan.yaml", "sources: [mod-myanmar-japan-cooperation]",
         "sources: [mod-myanmar-japan-coop]")
    code, out, err = cli("publish", MC, "--root", str(full))
    assert (code, out) == (1, "")
    assert "briefings/facts/countries/japan.yaml:9:15: facts[0].sources[0]: unknown source " \
           "'mod-myanmar-japan-coop' (did you mean 'mod-myanmar-japan-cooperation'?)" in err
    assert not (full / "editions").exists()


def test_an_edition_is_never_overwritten(full: Path, monkeypatch) -> None:
    folder = full / "editions" / MC
    folder.mkdir(parents=True)
    (folder / "2026-11-23-1").write_text("not an edition")  # a file where it would go
    (folder / ".2026-11-22-1.0badcafe.tmp").mkdir()  # what a killed publish leaves
    with pytest.raises(OutputError, match="editions/military-cooperation/2026-11-23-1 already "
                       "exists: a published edition is never overwritten"):
        publish(full)
    (folder / "2026-11-23-1").unlink()
    assert publish(full).edition.name == "2026-11-23-1"
    assert sorted(p.name for p in folder.iterdir()) == ["2026-11-23-1"]
    # a failed write leaves nothing behind
    import briefgen.editions.publish as pub

    def full_disk(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pub, "write_atomic", full_disk)
    with pytest.raises(OutputError, match="the disk is full"):
        publish(full)
    assert sorted(p.name for p in folder.iterdir()) == ["2026-11-23-1"]


def test_make_clean_leaves_editions_alone(full: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    publish(full)
    shutil.copy(REPO / "Makefile", full / "Makefile")
    (full / "dist/.gitkeep").touch()
    before = tree(full / "editions")
    subprocess.run(["make", "clean"], cwd=full, check=True, capture_output=True)
    assert tree(full / "editions") == before and len(before) == 4
    assert [p.name for p in (full / "dist").iterdir()] == [".gitkeep"]


# ---------------------------------------------------------------------- the box, the spec
def test_whats_new_in_the_spec_turns_the_box_off_or_gives_its_text(full: Path, cli) -> None:
    publish(full)
    change_japan_and_thailand(full)
    spec = full / f"briefings/{MC}.yaml"
    edit(spec, "calls_to_action:", "whats_new: false\n\ncalls_to_action:")
    ws = briefgen.open_workspace(full)
    assert briefgen.whats_new(ws, MC) is None
    assert briefgen.change_summary(ws, MC) is not None  # mail and web can still say so
    edit(spec, "whats_new: false", 'whats_new: |-\n  **Japan** ends its training programme'
         ' ({{ lists.countries | length }} countries listed).\n\n  More in *our* next issue.')
    ws = briefgen.open_workspace(full)
    assert briefgen.whats_new(ws, MC) == ["Japan ends its training programme (13 countries "
                                          "listed).", "More in our next issue."]
    briefgen.build_project(full, [MC], workspace=ws)
    assert ("What’s new in this edition Japan ends its training programme (13 countries "
            "listed). More in our next issue.") in page_one(full / "dist" / f"{MC}.pdf")
    edit(spec, "More in *our* next issue.", "More in our next issue.[^icc-pr1495]")
    code, out, _ = cli("check", "--root", str(full))
    assert code == 1
    assert ("briefings/military-cooperation.yaml:65:26: whats_new: the \"What's new\" box "
            "cannot cite sources: cite them where the change is, in the text or the fact") in out


def forge(folder: Path, data: str | bytes) -> None:
    """Write an edition's snapshot.json and record its hash in edition.json, as a snapshot
    written by an older briefgen (or edited by someone who knew to) would be."""
    import hashlib

    raw = data.encode() if isinstance(data, str) else data
    (folder / "snapshot.json").write_bytes(raw)
    meta = json.loads((folder / "edition.json").read_text())
    meta["files"]["snapshot.json"] = hashlib.sha256(raw).hexdigest()
    (folder / "edition.json").write_text(json.dumps(meta, indent=1, sort_keys=True))


TAMPERED = ("editions/military-cooperation/2026-11-23-1/snapshot.json: this snapshot.json is "
            "not the one that was published (its hash differs from edition.json); restore it "
            "from git")


def test_an_edited_snapshot_is_never_trusted(full: Path, cli, monkeypatch) -> None:
    """A snapshot edited by hand told readers of a change that never happened: page 1 said
    "Japan’s entry is updated." and publish recorded a change. Its hash is now checked."""
    first = publish(full)
    path = first.edition.folder / "snapshot.json"
    snap = json.loads(path.read_text())
    snap["facts"]["japan.military-cooperation"]["statement"] = JAPAN_NEW
    path.write_text(json.dumps(snap, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    box = (": the \"What's new\" box of military-cooperation is worked out from it (or set "
           "`whats_new: false` in briefings/military-cooperation.yaml)")
    code, out, _ = cli("check", "--root", str(full))
    assert code == 1 and out.count(TAMPERED) == 1 and TAMPERED + box in out
    code, _, err = cli("build", MC, "--root", str(full))
    assert code == 1
    assert err == (f"{MC}: not built; its previous PDF is kept\n"
                   f"  editions/{MC}/2026-11-23-1/snapshot.json\n    {TAMPERED}{box}\n")
    assert "What’s new" not in page_one(full / "dist" / f"{MC}.pdf")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(LATER.timestamp())))
    code, out, err = cli("publish", MC, "--root", str(full))
    assert (code, out) == (1, "") and err.count(TAMPERED) == 1
    code, _, err = cli("diff", MC, "--root", str(full))
    assert code == 1 and err.count(TAMPERED) == 1
    # with the box off, the briefing itself is fine: publishing says it could not compare
    edit(full / f"briefings/{MC}.yaml", "calls_to_action:", "whats_new: false\ncalls_to_action:")
    code, _, err = cli("diff", MC, "--root", str(full))
    assert (code, err) == (1, f"editions/{MC}/2026-11-23-1/snapshot.json\n  {TAMPERED}\n")
    code, out, err = cli("publish", MC, "--root", str(full), "--by", "Test")
    assert code == 0
    assert out.splitlines()[-2:] == [
        f"published editions/{MC}/2026-11-28-1 (9 files)",  # with the web page `build` made
        "not compared with edition 2026-11-23-1: its snapshot.json cannot be used (see the "
        "warning)"]
    assert err == f"warning: cannot compare with 2026-11-23-1: {TAMPERED}\n"
    # an edition.json that records no snapshot vouches for nothing
    meta = json.loads((first.edition.folder / "edition.json").read_text())
    del meta["files"]["snapshot.json"]
    (first.edition.folder / "edition.json").write_text(json.dumps(meta))
    code, _, err = cli("diff", MC, "2026-11-23-1", "2026-11-28-1", "--root", str(full))
    assert (code, err) == (1, f"editions/{MC}/2026-11-23-1/edition.json\n  editions/{MC}/"
                              "2026-11-23-1/edition.json: files: this edition records no "
                              "snapshot.json; restore edition.json from git\n")


def test_a_damaged_snapshot_is_a_located_error(full: Path, cli) -> None:
    first = publish(full)
    change_japan_and_thailand(full)
    forge(first.edition.folder, "{not json")
    code, out, _ = cli("check", "--root", str(full))
    assert code == 1
    assert ("editions/military-cooperation/2026-11-23-1/snapshot.json: cannot read this "
            "edition's snapshot.json (Expecting property name enclosed in double quotes: line "
            "1 column 2 (char 1)); restore it from git: the \"What's new\" box of "
            "military-cooperation is worked out from it (or set `whats_new: false` in "
            "briefings/military-cooperation.yaml)") in out
    code, _, err = cli("diff", MC, "--root", str(full))
    assert code == 1 and "snapshot.json: cannot read" in err
    # JSON, but edited out of shape: located too, never a crash
    forge(first.edition.folder, json.dumps(
        {"briefing": MC, "date": "2026-11-23", "lists": {"countries": [{"id": "japan"}]},
         "facts": {}, "sources": {}, "sections": []}))
    code, _, err = cli("diff", MC, "--root", str(full))
    assert (code, err) == (1, "editions/military-cooperation/2026-11-23-1/snapshot.json\n"
                              "  editions/military-cooperation/2026-11-23-1/snapshot.json: "
                              "this edition's snapshot.json is damaged (the field 'facts' is "
                              "missing); restore it from git: the \"What's new\" box of "
                              "military-cooperation is worked out from it (or set `whats_new: "
                              "false` in briefings/military-cooperation.yaml)\n")
    # with the box off, diff itself says which edition is out of shape
    edit(full / f"briefings/{MC}.yaml", "calls_to_action:", "whats_new: false\ncalls_to_action:")
    code, _, err = cli("diff", MC, "--root", str(full))
    assert (code, err) == (1, "editions/military-cooperation/2026-11-23-1/snapshot.json\n"
                              "  editions/military-cooperation/2026-11-23-1/snapshot.json: "
                              "this edition's snapshot.json is damaged (the field 'facts' is "
                              "missing); restore it from git\n")


def test_a_folder_named_like_an_edition_whose_date_is_not_a_date(full: Path, cli) -> None:
    """``2026-02-30-1`` matched the name pattern: check said nothing, build and publish
    crashed (exit 3, "day is out of range for month"). It is a located error everywhere."""
    first = publish(full)
    shutil.copytree(first.edition.folder, full / "editions" / MC / "2026-02-30-1")
    where = f"editions/{MC}/2026-02-30-1"
    msg = (f"{where}: this folder is named like an edition but 2026-02-30 is not a date (an "
           "edition is named by the day it was published and a number, such as "
           "2026-11-28-1); restore the edition's name from git, or move the folder out of "
           "editions/")
    for args in (("check",), ("build", MC), ("publish", MC), ("diff", MC), ("editions", MC),
                 ("editions",)):
        code, out, err = cli(*args, "--root", str(full))
        assert code == 1, args
        assert (out + err).count(msg) == 1, (args, out, err)
    assert sorted(p.name for p in (full / "editions" / MC).iterdir()) == [
        "2026-02-30-1", "2026-11-23-1"]
    # with the box off, check still finds it (build and publish would stop on it)
    edit(full / f"briefings/{MC}.yaml", "calls_to_action:", "whats_new: false\ncalls_to_action:")
    code, out, _ = cli("check", "--root", str(full))
    assert code == 1 and out.count(msg) == 1


def test_a_snapshot_whose_date_is_not_a_date(full: Path, cli) -> None:
    """A snapshot with "date": "garbage" (vouched for by its edition.json) and any change
    crashed check, build, diff and publish (exit 3, "Invalid isoformat string")."""
    first = publish(full)
    snap = json.loads((first.edition.folder / "snapshot.json").read_text())
    forge(first.edition.folder, json.dumps({**snap, "date": "garbage"}))
    change_japan_and_thailand(full)
    msg = (f"editions/{MC}/2026-11-23-1/snapshot.json: this edition's snapshot.json is "
           "damaged (its date 'garbage' is not a date); restore it from git")
    for args in (("check",), ("build", MC), ("diff", MC), ("publish", MC)):
        code, out, err = cli(*args, "--root", str(full))
        assert code == 1, args
        assert (out + err).count(msg) == 1, (args, out, err)
    assert [p.name for p in (full / "editions" / MC).iterdir()] == ["2026-11-23-1"]
    forge(first.edition.folder, json.dumps({**snap, "date": None}))
    code, _, err = cli("diff", MC, "--root", str(full))
    assert code == 1 and "damaged (its date None is not a date)" in err


def test_dates_that_do_not_mislead(built_full: Path) -> None:
    """Page 1 shows the briefing's date and, under it, the newest "as of" of its facts."""
    text = page_one(built_full / "dist/admm-plus-counter-terrorism.pdf")
    assert text.startswith("Burma Campaign UK for Human Rights, Democracy & Development in "
                           "Burma BRIEFING 23 November 2026 Facts as of 25 August 2023 ")


# ---------------------------------------------------------------------- the command line
def test_diff_usage_errors(full: Path, cli) -> None:
    code, _, err = cli("diff", MC, "--root", str(full))
    assert (code, err) == (2, "briefgen: 'military-cooperation' has no published edition yet "
                              "(publish one with `briefgen publish military-cooperation`)\n")
    publish(full)
    code, _, err = cli("diff", MC, "2026-11-23-2", "--root", str(full))
    assert (code, err) == (2, "briefgen: 'military-cooperation' has no edition '2026-11-23-2' "
                              "(did you mean '2026-11-23-1'?); its editions are 2026-11-23-1\n")
    code, _, err = cli("diff", "military-cooperatio", "--root", str(full))
    assert code == 2 and "did you mean 'military-cooperation'" in err
    code, out, _ = cli("diff", MC, "current", "2026-11-23-1", "--root", str(full))
    assert out == ("military-cooperation: from the current build to edition 2026-11-23-1\n"
                   "no changes\n")
    code, _, err = cli("publish", MC, "--note", "two\nlines", "--root", str(full))
    assert (code, err) == (2, "briefgen: --note must be one line\n")
    # printed on the pages and to the terminal by `editions` (ESC coloured it: review)
    code, _, err = cli("publish", MC, "--note", "bad\x01note\x1b[31m", "--root", str(full))
    assert (code, err) == (2, "briefgen: --note holds a control character U+0001 (START OF "
                              "HEADING): write it without\n")


# ---------------------------------------------------------------------- the web edition
def build_web(root: Path, *, force: bool = False):
    from briefgen.incremental.builder import build_profiles

    return build_profiles(root, None, profiles=("screen",), formats=("pdf", "html"),
                          force=force)


def test_the_web_edition_lists_the_editions_and_says_whats_new(full: Path) -> None:
    from webcheck import parse, squash

    build_web(full)
    publish(full, note="First issue")
    change_japan_and_thailand(full)
    publish(full, now=LATER)
    assert not build_web(full)["html"].failed
    site = full / "dist/site"
    page = parse(site / MC / "index.html")
    (box,) = page.find_all("aside", **{"class": "whats-new"})
    assert squash(box.text) == ("What’s new in this edition Japan’s entry is updated. "
                                "A new source for Thailand.")
    # after the lead, before the first section: where page 1 of the PDF has it
    article = page.find("article")
    order = [c.attrs.get("class") for c in article.children if not isinstance(c, str)]
    assert order.index("whats-new") == order.index("lead") + 1
    (editions,) = page.find_all("section", **{"class": "editions"})
    items = [re.sub(r"\(PDF, \d+ KB\)", "(PDF, N KB)", squash(li.text))
             for li in editions.find_all("li")]
    assert items == ["Edition of 28 November 2026 (PDF, N KB)",
                     "Edition of 23 November 2026 (PDF, N KB): First issue"]
    links = [a.attrs["href"] for a in editions.find_all("a")]
    assert links == ["editions/2026-11-28-1.pdf", "editions/2026-11-23-1.pdf"]
    for href in links:  # the very bytes that were published
        name = href.split("/")[1][:-4]
        assert (site / MC / href).read_bytes() == \
            (full / "editions" / MC / name / f"{MC}.pdf").read_bytes()
    (archive,) = parse(site / "index.html").find_all("details", **{"class": "archive"})
    assert [a.attrs["href"] for a in archive.find_all("a")] == [f"{MC}/{h}" for h in links]
    assert squash(archive.find("summary").text).startswith("Editions (2)")
    # nothing changed: nothing is written again
    assert build_web(full)["html"].built == []


def test_a_tampered_edition_is_never_put_on_the_web(full: Path, cli) -> None:
    build_web(full)
    publish(full)
    build_web(full)
    site = full / "dist/site"
    before = tree(site)
    pdf = full / "editions" / MC / "2026-11-23-1" / f"{MC}.pdf"
    pdf.write_bytes(pdf.read_bytes().replace(b"Belarus", b"Belorus", 1))
    code, _, err = cli("build", "--root", str(full), "--force", "--format", "html")
    assert code == 1
    rel = f"editions/{MC}/2026-11-23-1/{MC}.pdf"
    assert (f"{MC}: not built; its previous page is kept\n  {rel}\n    {rel}: this PDF is not "
            "the one that was published (its hash differs from edition.json); restore it "
            "from git\n") in err
    after = tree(site)
    for name in (f"{MC}/index.html", f"{MC}/editions/2026-11-23-1.pdf", "index.html",
                 "feed.xml"):
        assert after[name] == before[name], name
    # an edition taken out of editions/ leaves the site with it
    shutil.rmtree(pdf.parent)
    assert not build_web(full)["html"].failed
    assert not (site / MC / "editions").exists()
    assert "class=\"editions\"" not in (site / MC / "index.html").read_text()


def test_a_slow_writer_never_loses_the_copy_of_an_edition(full: Path, monkeypatch) -> None:
    """The web build writes in a pool of threads; an edition copy's folder made by a writer
    that had not yet written into it was removed as empty, and the page failed (CI)."""
    import os
    import threading
    import time

    import briefgen.incremental.site_writes as site_build

    build_web(full)
    publish(full)
    made = threading.Event()

    class Slow(site_build.Staged):
        def write(self, path: Path, data: bytes) -> os.stat_result:
            if path.parent.name != "editions":
                return super().write(path, data)
            path.parent.mkdir(parents=True, exist_ok=True)
            made.set()
            time.sleep(0.3)  # the folder exists and is empty meanwhile
            temp = path.parent / f".{path.name}.slowtest.tmp"
            with open(temp, "wb") as fh:  # no mkdir
                fh.write(data)
            self.temps.append((str(temp), path))
            return temp.stat()  # what was written, for the web manifest

    real_remove = site_build.remove_edition_copies

    def remove(folder: Path, keep: set[str]) -> None:
        made.wait(1)  # a copy's writer, once submitted, has made editions/ by now
        real_remove(folder, keep)

    monkeypatch.setattr(site_build, "Staged", Slow)
    monkeypatch.setattr(site_build, "remove_edition_copies", remove)
    result = build_web(full, force=True)["html"]
    assert made.is_set() and not result.failed, result.failed
    copy = full / "dist/site" / MC / "editions"
    assert [p.name for p in copy.iterdir()] == ["2026-11-23-1.pdf"]
