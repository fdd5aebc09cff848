"""The full content: valid, complete, and true to the seed briefing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from briefgen import open_workspace

SEED_URLS = [
    "https://www.smh.com.au/politics/federal/australia-s-defence-spends-almost-1-5-million-on-myanmar-s-military-over-past-five-years-20210202-p56ymj.html",
    "https://mod.gov.mm/news/item/34-myanmar-japan-to-strengthen-military-cooperation",
    "https://thediplomat.com/2019/07/india-myanmar-conclude-defense-cooperation-agreement/",
    "https://www.reuters.com/article/us-thailand-myanmar-idUSKCN1G01D1",
    "https://www.bangkokpost.com/thailand/general/1413774/myanmar-general-given-royal-honour",
    "http://eng.mil.ru/en/management/info/news/more.htm?id=12191987@egNews&g=newsPhoto",
    "http://www.xinhuanet.com/english/2020-01/18/c_138716154.htm",
    "https://en.qdnd.vn/military/intl-relations-and-cooperation/vietnam-myanmar-to-develop-defense-ties-in-intensive-manner-509859",
    "https://www.khmertimeskh.com/50791574/cambodia-myanmar-laud-bilateral-military-cooperation/",
    "https://112.international/politics/ukraines-government-approves-military-cooperation-with-myanmar-38487.html",
    "https://www.washingtonpost.com/world/asia_pacific/north-korea-china-and-russia-are-arming-myanmars-military-despite-genocide-accusations-un-report-finds/2019/08/05/f4dd49d0-b531-11e9-acc8-1d847bacca73_story.html",
    "https://mm.nepalembassy.gov.np/press-release-on-nepals-chief-of-armys-visit-to-myanmar/",
    "https://www.pac.org.pk/news-archive",
    "https://dunyanews.tv/en/Pakistan/280636-Myanmar-Chief-of-Air-Staff-meets-Joint-Chief-of-St",
    "https://eng.belta.by/society/view/myanmar-delegation-gets-familiar-with-belarus-capabilities-in-air-defense-128098-2020/",
]
APPENDIX_URLS = [
    "https://ap.ohchr.org/documents/dpage_e.aspx?m=89",
    "https://burmacampaign.org.uk/useful-resources/un-general-assembly-resolutions-on-burma/",
    "https://www.ohchr.org/en/hrbodies/hrc/myanmarffm/pages/index.aspx",
    "https://www.icc-cpi.int/Pages/item.aspx?name=pr1495",
    "https://www.icj-cij.org/en/case/178",
    "https://www.sbs.com.au/news/australia-urged-to-follow-allies-by-taking-action-against-leaders-of-myanmar-s-military-coup",
]
SEED_ORDER = ["Australia", "Japan", "India", "Thailand", "Russia", "China", "Vietnam",
              "Cambodia", "Ukraine", "North Korea", "Nepal", "Pakistan", "Belarus"]


def test_fixture_content_has_no_errors(full: Path, cli) -> None:
    code, out, _ = cli("check", "--root", str(full))
    assert code == 0, out
    assert "0 errors" in out.splitlines()[-1]
    assert out.splitlines()[-1].startswith("4 briefings, 23 countries")


def test_warnings_are_grouped_by_cause_and_listed_with_verbose(full: Path, cli) -> None:
    _, out, _ = cli("check", "--root", str(full))
    assert "warnings (briefgen check --verbose lists each one)" in out
    grouped = [line for line in out.splitlines() if "sources without a web address" in line]
    assert len(grouped) == 1 and grouped[0].strip().startswith("5 sources without")
    assert "has no URL" not in out  # one line for the cause, not one per source
    _, out, _ = cli("check", "--root", str(full), "--verbose")
    for sid in ("moemaka-2025-russia-trip", "irrawaddy-2022-defectors",
                "csos-2023-admm-plus-letter"):
        assert f"warning: source '{sid}' has no URL" in out
    assert "was last verified" not in out  # nobody verified these: they are "as of"
    assert "fact 'australia.military-training' is as of 2021 (never verified)" in out


def test_url_none_marks_a_print_only_source(full: Path, cli) -> None:
    news = full / "briefings/facts/sources/news.yaml"
    news.write_text(news.read_text().replace(
        "moemaka-2025-russia-trip:\n", "moemaka-2025-russia-trip:\n  url: none\n"))
    _, out, _ = cli("check", "--root", str(full), "--verbose")
    assert "'moemaka-2025-russia-trip' has no URL" not in out
    assert "'irrawaddy-2022-defectors' has no URL" in out


def test_strict_fails_on_warnings(full: Path, cli) -> None:
    code, _, _ = cli("check", "--root", str(full), "--strict")
    assert code == 1


def test_where_australia_says_how_each_briefing_uses_it(full: Path, cli) -> None:
    code, out, _ = cli("where", "australia", "--root", str(full))
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert {"military-cooperation", "admm-plus-counter-terrorism", "defector-asylum"} <= set(ids)
    assert ("list 'protecting', entry 1: fact australia.defector-asylum has topic "
            "defector-asylum (status current)") in out
    assert "list 'countries', entry 1: named in the list (countries[0])" in out


def test_where_a_fact_names_only_the_lists_that_print_it(full: Path, cli) -> None:
    """Any list holding the country was named for each of its facts (found by review)."""
    code, out, _ = cli("where", "australia.admm-plus-2022-boycott", "--root", str(full))
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert ids == ["admm-plus-counter-terrorism"], out


def test_where_unknown_is_usage_error(full: Path, cli) -> None:
    code, _, err = cli("where", "austrlia", "--root", str(full))
    assert code == 2
    assert "did you mean 'australia'" in err


@pytest.mark.parametrize("from_index", [False, True])
def test_where_and_sources_say_when_errors_may_hide_an_answer(full: Path, cli,
                                                             from_index: bool) -> None:
    """A fact-base file with an error defines nothing, and a briefing that fails is not
    counted: `where` and `sources --unused` say their answer may be incomplete, and name
    the files, instead of a confident wrong answer with exit status 0 (a tired editor
    deletes "unused" sources on the strength of it)."""
    country = full / "briefings/facts/countries/australia.yaml"
    country.write_text(country.read_text(encoding="utf-8").replace(
        "    statement: Australia provides", "    statment: Australia provides", 1),
        encoding="utf-8")
    if from_index:  # the same answers from the index, the project unchanged since
        assert cli("check", "--root", str(full))[0] == 1
    note = ("briefgen: the answer may be incomplete: 4 files have errors (briefgen check "
            "lists them); what they define, and the briefings that fail because of them, are "
            "not counted: briefings/facts/countries/australia.yaml, "
            "briefings/admm-plus-counter-terrorism.yaml, briefings/defector-asylum.yaml and "
            "1 more\n")
    code, out, err = cli("where", "irrawaddy-2022-defectors", "--root", str(full))
    assert (code, out, err) == (1, "no briefing uses 'irrawaddy-2022-defectors'\n", note)
    # not a mistyped id (exit 2) but one its file's errors hide (exit 1, at that file)
    code, out, err = cli("where", "australia", "--root", str(full))
    assert (code, out) == (1, "")
    assert err == "briefings/facts/countries/australia.yaml\n  briefings/facts/countries/" \
                  "australia.yaml: no country, body, fact or source 'australia'; " + note[10:]
    code, out, err = cli("sources", "--unused", "--json", "--root", str(full))
    assert (code, err) == (1, note) and json.loads(out)
    code, out, err = cli("where", "myanmar", "--root", str(full))  # in a file that validates
    assert code == 1 and err == note
    # a mistyped id that no broken file could define stays a usage error (exit 2)
    code, out, err = cli("where", "japn", "--root", str(full))
    assert (code, out) == (2, "")
    assert err.startswith("briefgen: no country, body, fact or source 'japn' (did you mean "
                          "'japan'?); the answer may be incomplete")


def test_countries_offering_protection_do_not_include_myanmar(full: Path, cli) -> None:
    ws = open_workspace(full)
    assert [e.id for e in ws.lists["defector-asylum"]["protecting"]] == ["australia"]
    code, out, _ = cli("build", "--root", str(full), "--explain", "defector-asylum")
    assert code == 0
    assert "list 'protecting': 1 country" in out
    assert "1. Australia (australia): fact australia.defector-asylum has topic " \
           "defector-asylum (status current)" in out


def test_exclude_keeps_a_country_out_of_a_topic_list(full: Path) -> None:
    spec = full / "briefings/admm-plus-counter-terrorism.yaml"
    spec.write_text(spec.read_text().replace(
        "      topics: [admm-plus-stayed-away]\n",
        "      topics: [admm-plus-stayed-away]\n      exclude: [new-zealand]\n"))
    ws = open_workspace(full)
    assert "new-zealand" not in [e.id for e in ws.lists["admm-plus-counter-terrorism"]
                                 ["stayed-away"]]
    assert ws.ok("admm-plus-counter-terrorism")


def test_military_cooperation_matches_seed(full: Path) -> None:
    project = open_workspace(full)
    doc = project.documents["military-cooperation"]
    assert doc.title == "13 countries involved in training and cooperation with the Burmese military"
    entries = next(b for b in doc.blocks if hasattr(b, "entries")).entries
    assert [e.name for e in entries] == SEED_ORDER
    urls = [s.url for e in entries for s in e.sources]
    assert urls == SEED_URLS
    assert [i.url for i in doc.more_information] == APPENDIX_URLS
    p = doc.publisher
    assert p.address == ["110 The Bon Marche Centre", "241-251 Ferndale Road", "London SW9 8BJ"]
    assert (p.email, p.phone) == ("info@burmacampaign.org.uk", "020 3095 1991")


def test_topic_count_in_title_follows_the_fact_base(full: Path) -> None:
    nz = full / "briefings/facts/countries/new-zealand.yaml"
    (full / "briefings/facts/countries/fiji.yaml").write_text(
        nz.read_text().replace("new-zealand", "fiji").replace("New Zealand", "Fiji"))
    doc = open_workspace(full).documents["admm-plus-counter-terrorism"]
    headings = [b.text for b in doc.blocks if hasattr(b, "anchor")]
    assert "4 governments that decided not to take part" in headings


CANADA = """id: canada
name: Canada
facts:
  - id: asylum
    statement: Canada has accepted defectors.
    topics: [defector-asylum]
    as_of: 2023
    status: current
    sources: [irrawaddy-2022-defectors]
"""


def test_a_yaml_file_that_is_not_read_is_an_error(full: Path, cli) -> None:
    """A country saved as canada.YAML or canada.yaml.txt (as Notepad saves it) was silently
    not read, and the topic list it belongs in printed without it; with defector-asylum.yaml
    and defector-asylum.yml both there, the .yml silently won (found by review). Each is an
    error now; a topic list that the file could change fails, and so does the briefing with
    two files."""
    assert cli("build", "--root", str(full), "--format", "pdf")[0] == 0
    pdfs = {p: p.read_bytes() for p in (full / "dist").glob("*.pdf")}
    facts = full / "briefings/facts"
    (facts / "countries/canada.yaml.txt").write_text(CANADA, encoding="utf-8")
    (facts / "sources/old.yaml").mkdir()
    (facts / "countries/japan.yaml~").write_text("an editor's backup", encoding="utf-8")
    (facts / "countries/#japan.yaml#").write_text("an autosave", encoding="utf-8")
    (full / "briefings/old.yaml.disabled").write_text("set aside", encoding="utf-8")
    spec = full / "briefings/defector-asylum.yaml"
    (full / "briefings/defector-asylum.yml").write_bytes(spec.read_bytes())
    code, out, _ = cli("check", "--root", str(full))
    assert code == 1
    assert "  briefings/facts/countries/canada.yaml.txt: this file is not read: only names " \
           "ending in .yaml or .yml are; rename it to canada.yaml" in out
    assert "  briefings/facts/sources/old.yaml: this is a folder, not a YAML file: nothing in " \
           "it is read; move its files up, or rename it" in out
    assert "  briefings/defector-asylum.yml: both briefings/defector-asylum.yaml and " \
           "briefings/defector-asylum.yml exist: keep one of them, since each would be " \
           "briefing 'defector-asylum'" in out
    assert "sections[3].country_list.topics: this list selects countries by topic, and " \
           "briefings/facts/countries/canada.yaml.txt has errors" in out
    assert "japan.yaml~" not in out and "#japan" not in out and "disabled" not in out
    code, _, err = cli("build", "--root", str(full), "--format", "pdf")
    assert code == 1
    assert "admm-plus-counter-terrorism: not built" in err
    assert "defector-asylum: not built" in err
    assert {p: p.read_bytes() for p in (full / "dist").glob("*.pdf")} == pdfs
    # where: an id in the file not read is hidden by an error there (exit 1, at that file)
    code, _, err = cli("where", "canada", "--root", str(full))
    assert code == 1 and err.startswith("briefings/facts/countries/canada.yaml.txt\n")
    (facts / "countries/canada.yaml.txt").rename(facts / "countries/canada.yaml")
    (facts / "sources/old.yaml").rmdir()
    (full / "briefings/defector-asylum.yml").unlink()
    assert cli("check", "--root", str(full))[0] == 0
    ws = open_workspace(full)
    assert "canada" in [e.id for e in ws.lists["defector-asylum"]["protecting"]]


def test_countries_are_listed_in_the_order_a_reader_expects(full: Path) -> None:
    """Code point order put Tuvalu before Türkiye, Åland after Vietnam (found by review)."""
    countries = full / "briefings/facts/countries"
    for cid, name in (("turkiye", "Türkiye"), ("tuvalu", "Tuvalu"), ("aland", "Åland")):
        (countries / f"{cid}.yaml").write_text(
            CANADA.replace("id: canada", f"id: {cid}").replace("name: Canada", f"name: {name}")
            .replace("Canada has", f"{name} has"), encoding="utf-8")
    ws = open_workspace(full)
    assert ws.ok("defector-asylum"), ws.state("defector-asylum").errors
    assert [e.name for e in ws.lists["defector-asylum"]["protecting"]] == \
        ["Åland", "Australia", "Türkiye", "Tuvalu"]
