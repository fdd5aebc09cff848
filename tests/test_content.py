"""The full content: valid, complete, and true to the seed briefing."""

from __future__ import annotations

from pathlib import Path

from briefgen.project import open_project
from conftest import REPO

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


def test_shipped_content_has_no_errors(cli) -> None:
    code, out, _ = cli("check", "--root", str(REPO))
    assert code == 0, out
    assert "0 errors" in out.splitlines()[-1]
    assert out.splitlines()[-1].startswith("4 briefings, 23 countries")


def test_urlless_sources_are_warned(cli) -> None:
    _, out, _ = cli("check", "--root", str(REPO))
    for sid in ("moemaka-2025-russia-trip", "irrawaddy-2022-defectors",
                "csos-2023-admm-plus-letter", "bcuk-13-countries-briefing"):
        assert f"warning: source '{sid}' has no URL" in out


def test_strict_fails_on_warnings(cli) -> None:
    code, _, _ = cli("check", "--root", str(REPO), "--strict")
    assert code == 1


def test_where_australia(cli) -> None:
    code, out, _ = cli("where", "australia", "--root", str(REPO))
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines()]
    assert {"military-cooperation", "admm-plus-counter-terrorism", "defector-asylum"} <= set(ids)


def test_where_unknown_is_usage_error(cli) -> None:
    code, _, err = cli("where", "austrlia", "--root", str(REPO))
    assert code == 2
    assert "did you mean 'australia'" in err


def test_military_cooperation_matches_seed() -> None:
    project = open_project(REPO)
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
    doc = open_project(full).documents["admm-plus-counter-terrorism"]
    headings = [b.text for b in doc.blocks if hasattr(b, "anchor")]
    assert "7 governments that stayed away" in headings
