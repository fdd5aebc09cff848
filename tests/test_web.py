"""The web edition (dist/site/): what the pages say and how, the index, feed and sitemap,
escaping, fonts, the share image, and how it is built (incremental, deterministic)."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import briefgen
from briefgen.incremental.builder import build_profiles
from briefgen.render.html.page import description, report_id
from conftest import FIXTURES, make_project, replace_once
from webcheck import built_web_project, parse, squash

ALL = ["admm-plus-counter-terrorism", "defector-asylum", "military-cooperation",
       "russia-military-ties"]
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://briefings.example.org/burma/"


def build_web(root: Path, **kw) -> dict:
    kw.setdefault("profiles", ("screen", "print"))
    return build_profiles(root, formats=("pdf", "html"), **kw)


def tree(root: Path) -> dict[str, str]:
    site = root / "dist/site"
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def mtimes(root: Path) -> dict[str, int]:
    site = root / "dist/site"
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns
            for p in sorted(site.rglob("*")) if p.is_file()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_base_url(root: Path, url: str = BASE) -> None:
    path = root / "briefings/facts/publisher.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"site:\n  base_url: {url}\n",
                    encoding="utf-8")


@pytest.fixture(scope="session")
def _web_built(tmp_path_factory) -> Path:
    return built_web_project(tmp_path_factory)


@pytest.fixture
def web(_web_built: Path, tmp_path: Path) -> Path:
    """A copy of the full fixture project with PDFs (screen and print) and the web edition
    built (once per session)."""
    dest = tmp_path / "web"
    shutil.copytree(_web_built, dest)
    return dest


@pytest.fixture(scope="session")
def workspace(_web_built: Path):
    return briefgen.open_workspace(_web_built)


# ---------------------------------------------------------------------- the files
def test_site_holds_pages_index_feed_assets_and_no_sitemap_without_a_base_url(
        _web_built: Path) -> None:
    site = _web_built / "dist/site"
    for bid in ALL:
        names = sorted(p.name for p in (site / bid).iterdir())
        assert names == sorted([f"{bid}.pdf", f"{bid}-print.pdf", "index.html", "share.png"])
        assert (site / bid / f"{bid}.pdf").read_bytes() == \
            (_web_built / f"dist/{bid}.pdf").read_bytes()
        assert (site / bid / f"{bid}-print.pdf").read_bytes() == \
            (_web_built / f"dist/print/{bid}.pdf").read_bytes()
    assert (site / "index.html").is_file() and (site / "feed.xml").is_file()
    assert not (site / "sitemap.xml").exists()  # it needs absolute addresses
    assets = site / "_assets/default"
    assert (assets / "site.css").is_file()
    fonts = sorted(p.name for p in (assets / "fonts").iterdir())
    assert "OFL-Lato.txt" in fonts and "OFL-LiberationMono.txt" in fonts
    # Lato Black (titles), Bold, Regular and Italic; Liberation Mono and Lato Bold Italic
    # only when some text is code or bold italic (none is here)
    assert len([f for f in fonts if f.endswith(".woff2")]) == 4
    assert not list(site.rglob(".*.tmp"))


@pytest.mark.parametrize("bid", ALL)
def test_page_is_semantic_html_of_the_whole_briefing(_web_built: Path, workspace,
                                                     bid: str) -> None:
    from briefgen.resolve.model import CountryListBlock, Heading

    doc = workspace.documents[bid]
    page = parse(_web_built / f"dist/site/{bid}/index.html")
    html = page.find("html")
    assert html.attrs["lang"] == doc.language
    h1 = page.find_all("h1")
    assert len(h1) == 1 and squash(h1[0].text) == doc.title
    # headings in order, never skipping a level
    levels = [int(el.tag[1]) for el in page.iter() if el.tag in ("h1", "h2", "h3", "h4")]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels))
    h2 = [squash(el.text) for el in page.find_all("h2")]
    sections = [b.text for b in doc.blocks if isinstance(b, Heading)]
    assert h2[:len(sections)] == sections
    assert h2[len(sections):] == ["Support our work", *(["More information"] if
                                  doc.more_information else []), "Notes"]
    # the country lists, in order, with each country's statements, dates and sources
    lists = [b for b in doc.blocks if isinstance(b, CountryListBlock)]
    ols = page.find_all("ol", class_="countries")
    assert len(ols) == len(lists)
    for block, ol in zip(lists, ols, strict=True):
        items = [c for c in ol.children if not isinstance(c, str)]
        assert [squash(li.find("h3").text) for li in items] == [e.name for e in block.entries]
        for entry, li in zip(block.entries, items, strict=True):
            paras = li.find_all("p")
            assert len(paras) == len(entry.statements)
            for para, p in zip(entry.statements, paras, strict=True):
                if para.as_of:
                    assert squash(p.find("span", class_="as-of").text) == f"— as of {para.as_of}"
            links = [a.attrs["href"] for a in li.find_all("a", class_="url")]
            assert links == [s.url for s in entry.sources if s.url]
    # call to action, appendix, publisher block
    cta = page.find("section", class_="cta")
    assert "Thank you" in cta.text and "Read more of our briefings" in cta.text
    appendix = page.find("section", class_="appendix")
    labels = [squash(s.text) for s in appendix.find_all("span", class_="info-label")] \
        if appendix else []
    assert labels == [i.label for i in doc.more_information]
    footer = page.find("footer")
    assert f"Published by {doc.publisher.name}" in footer.text
    assert doc.publisher.address[0] in footer.text and doc.publisher.phone in footer.text
    # dates and downloads
    dates = squash(page.find("dl", class_="dates").text)
    assert dates.startswith("Published") and "Facts as of" in dates
    downloads = [a.attrs["href"] for a in page.find("ul", class_="downloads").find_all("a")]
    assert downloads == [f"{bid}.pdf", f"{bid}-print.pdf"]


@pytest.mark.parametrize("bid", ALL)
def test_head_has_description_open_graph_twitter_and_json_ld(_web_built: Path, workspace,
                                                             bid: str) -> None:
    doc = workspace.documents[bid]
    page = parse(_web_built / f"dist/site/{bid}/index.html")
    meta = {m.attrs.get("name") or m.attrs.get("property"): m.attrs.get("content")
            for m in page.find_all("meta")}
    assert meta["description"] == description(doc) and len(meta["description"]) <= 200
    assert meta["og:title"] == doc.title and meta["og:type"] == "article"
    assert meta["og:locale"] == doc.language.replace("-", "_")
    assert meta["twitter:card"] == "summary"  # no base URL: no absolute image address
    assert "og:image" not in meta and "og:url" not in meta and not page.find("link",
                                                                             rel="canonical")
    data = json.loads(page.find("script", type="application/ld+json").text)
    assert data["@type"] == "Report" and data["@context"] == "https://schema.org"
    assert data["author"]["name"] == doc.publisher.name
    assert data["datePublished"] == doc.date.isoformat()
    assert data["@id"] == report_id(doc) and data["@id"].startswith("urn:uuid:")
    assert len(data["citation"]) == len(doc.notes)
    assert "url" not in data and "image" not in data


@pytest.mark.parametrize("bid", ALL)
def test_every_note_links_to_every_citation_and_back(_web_built: Path, bid: str) -> None:
    page = parse(_web_built / f"dist/site/{bid}/index.html")
    ids = {el.attrs["id"]: el for el in page.iter() if "id" in el.attrs}
    refs = page.find_all("a", role="doc-noteref")
    backs = page.find_all("a", role="doc-backlink")
    assert refs, "every fixture briefing cites sources"
    endnotes = page.find("section", role="doc-endnotes")
    for ref in refs:
        assert ref.parent.tag == "sup"
        note = ids[ref.attrs["href"][1:]]
        assert note.tag == "li" and endnotes in note.ancestors()
        assert ref.attrs["aria-label"] == f"Note {squash(ref.text)}"
        assert ref.attrs["id"].startswith(f"ref-{squash(ref.text)}-")
        assert any(b.attrs["href"] == f"#{ref.attrs['id']}" for b in note.find_all("a"))
    for back in backs:
        target = ids[back.attrs["href"][1:]]
        assert target.attrs.get("role") == "doc-noteref"
        li = next(a for a in back.ancestors() if a.tag == "li")
        assert target.attrs["href"] == f"#{li.attrs['id']}"
        assert back.attrs["aria-label"].startswith("Back to")
    assert len(refs) == len(backs)


@pytest.mark.parametrize("bid", ALL)
def test_external_links_show_their_full_address_and_nothing_is_fetched_from_outside(
        _web_built: Path, bid: str) -> None:
    page = parse(_web_built / f"dist/site/{bid}/index.html")
    for a in page.find_all("a"):
        href = a.attrs["href"]
        if href.startswith(("http://", "https://")):
            assert href in squash(a.text), href
        elif href.startswith("mailto:"):
            assert href[7:] in a.text
        else:
            assert not href.startswith(("javascript:", "data:", "//")), href
    for el in page.iter():
        for attr in ("src", "srcset", "poster"):
            assert attr not in el.attrs or not el.attrs[attr].startswith(("http", "//"))
        if el.tag == "link" and el.attrs.get("rel") not in ("canonical",):
            assert not el.attrs["href"].startswith(("http", "//")), el.attrs
    assert [s for s in page.find_all("script") if s.attrs.get("type") !=
            "application/ld+json"] == []
    css = (_web_built / "dist/site/_assets/default/site.css").read_text()
    assert "http" not in css.replace("http://www.w3", "") and "@import" not in css
    assert css.count("@font-face") == 8 and "briefgen-mono" not in css.split(":root")[0] and 'format("woff2")' in css
    for var in ("--colour-brand: #8E1B2E", "--colour-link: #1F4E8C", "--font-body:",
                "--scale-title: 2.3", "--leading-body: 1.4", "@media print", "@page"):
        assert var in css, var


def test_index_lists_every_briefing_newest_first(_web_built: Path, workspace) -> None:
    page = parse(_web_built / "dist/site/index.html")
    docs = sorted(workspace.documents.values(), key=lambda d: (d.date, d.id), reverse=True)
    cards = page.find_all("article", class_="briefing-card")
    assert [squash(c.find("h2").text) for c in cards] == [d.title for d in docs]
    for card, doc in zip(cards, docs, strict=True):
        hrefs = [a.attrs["href"] for a in card.find_all("a")]
        assert hrefs[0] == f"{doc.id}/index.html"
        assert f"{doc.id}/{doc.id}.pdf" in hrefs and f"{doc.id}/{doc.id}-print.pdf" in hrefs
        assert card.find("time").attrs["datetime"] == doc.date.isoformat()
        assert card.find("p", class_="summary") is not None
    assert len(page.find_all("h1")) == 1


def test_feed_is_atom_with_relative_links_without_a_base_url(_web_built: Path,
                                                               workspace) -> None:
    feed = ET.parse(_web_built / "dist/site/feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text.startswith("urn:uuid:")
    assert feed.find(f"{ATOM}link[@rel='self']") is None
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == len(ALL)
    dates = [e.find(f"{ATOM}updated").text for e in entries]
    assert dates == sorted(dates, reverse=True)
    for entry in entries:
        link = entry.find(f"{ATOM}link[@rel='alternate']").attrib["href"]
        assert link.endswith("/index.html") and not link.startswith("http")
        assert (_web_built / "dist/site" / link).is_file()
        assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")


def test_base_url_gives_absolute_addresses_a_sitemap_and_a_large_card(web: Path) -> None:
    set_base_url(web, BASE.rstrip("/"))  # the trailing slash is added
    results = build_web(web)
    assert sorted(results["html"].built) == ALL
    page = parse(web / "dist/site/military-cooperation/index.html")
    meta = {m.attrs.get("name") or m.attrs.get("property"): m.attrs.get("content")
            for m in page.find_all("meta")}
    assert meta["og:url"] == f"{BASE}military-cooperation/"
    assert meta["og:image"] == f"{BASE}military-cooperation/share.png"
    assert meta["og:image:width"] == "1200" and meta["og:image:height"] == "630"
    assert meta["twitter:card"] == "summary_large_image"
    assert page.find("link", rel="canonical").attrs["href"] == f"{BASE}military-cooperation/"
    data = json.loads(page.find("script", type="application/ld+json").text)
    assert data["url"] == f"{BASE}military-cooperation/"
    assert data["encoding"][0]["contentUrl"] == \
        f"{BASE}military-cooperation/military-cooperation.pdf"
    sitemap = ET.parse(web / "dist/site/sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs[0] == BASE and sorted(locs[1:]) == [f"{BASE}{b}/" for b in ALL]
    feed = ET.parse(web / "dist/site/feed.xml").getroot()
    assert feed.find(f"{ATOM}link[@rel='self']").attrib["href"] == f"{BASE}feed.xml"
    # and taking it away again removes the sitemap
    path = web / "briefings/facts/publisher.yaml"
    path.write_text(path.read_text().split("site:")[0])
    build_web(web)
    assert not (web / "dist/site/sitemap.xml").exists()


@pytest.mark.parametrize("url, message", [
    ("ftp://example.org/", "only http:// and https:// are allowed"),
    ("https://example.org/briefings?x=1", "leave out the ?query and #fragment"),
])
def test_a_bad_base_url_is_a_located_error(full: Path, cli, url: str, message: str) -> None:
    set_base_url(full, url)
    code, out, _ = cli("check", "--root", str(full))
    assert code == 1
    line = len((full / "briefings/facts/publisher.yaml").read_text().splitlines())
    assert f"briefings/facts/publisher.yaml:{line}:13: site.base_url: " in out
    assert message in out


# ---------------------------------------------------------------------- escaping
def test_spec_text_never_becomes_markup(mini: Path, cli) -> None:
    spec = mini / "briefings/demo.yaml"
    hostile = '</script><script>alert(1)</script><img src=x onerror=alert(2)> & "q"'
    printed = hostile.replace('"q"', "“q”")  # as written, but for typographic quotes
    lines = spec.read_text(encoding="utf-8").splitlines()
    lines[0] = "title: " + json.dumps(hostile + " {{ lists.countries | length }} countries")
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = cli("build", "--root", str(mini), "--format", "html")
    assert code == 0, out + err
    html = (mini / "dist/site/demo/index.html").read_text(encoding="utf-8")
    page = parse(html)
    assert [s.attrs.get("type") for s in page.find_all("script")] == ["application/ld+json"]
    assert page.find("img") is None
    assert printed in squash(page.find("h1").text)
    ld = page.find("script", type="application/ld+json").text
    assert "</script" not in ld
    assert printed in json.loads(ld)["name"]
    index = parse(mini / "dist/site/index.html")
    assert index.find("img") is None and printed in index.find("h2").text
    feed = ET.parse(mini / "dist/site/feed.xml").getroot()
    assert printed in feed.find(f"{ATOM}entry/{ATOM}title").text


def test_links_other_than_web_and_mail_are_never_links() -> None:
    from briefgen.render.html.inline import Citations, safe_href, spans_html
    from briefgen.resolve.model import Span

    for bad in ("javascript:alert(1)", "data:text/html,x", "vbscript:x", "//evil.example",
                "https://a.example/\nb", "file:///etc/passwd"):
        assert safe_href(bad) is None
        html = spans_html([Span("click", href=bad)], Citations())
        assert "href" not in html and "click" in html
    html = spans_html([Span('a"b', href='https://x.example/?a="><script>')], Citations())
    assert "<script>" not in html and "&#34;&gt;&lt;script&gt;" in html


# ---------------------------------------------------------------------- fonts and image
def test_web_fonts_are_renamed_woff2_subsets_with_what_the_pages_print(
        _web_built: Path, workspace) -> None:
    from fontTools.ttLib import TTFont

    from briefgen.render.html.page import printed_text

    text = "".join(printed_text(d) for d in workspace.documents.values())
    for path in (_web_built / "dist/site/_assets/default/fonts").glob("*.woff2"):
        data = path.read_bytes()
        assert data[:4] == b"wOF2" and len(data) < 40_000
        font = TTFont(io.BytesIO(data))
        names = {n.nameID: n.toUnicode() for n in font["name"].names}
        assert "Lato" not in names[1] and "Liberation" not in names[1]  # Reserved Font Names
        assert "Open Font License" in names[13]  # the licence notice stays
        assert not {"GPOS", "GSUB", "fpgm", "prep"} & set(font.keys())
        cmap = font.getBestCmap()
        if "Lato" in names[0]:
            assert {ord(c) for c in text if c.isprintable() and c != " "} <= set(cmap)


def test_code_and_bold_italic_bring_their_faces(mini: Path, cli) -> None:
    spec = mini / "briefings/demo.yaml"
    edit(spec, "Text with a footnote.", "Text with `code` and ***both*** and a footnote.")
    code, out, err = cli("build", "--root", str(mini), "--format", "html")
    assert code == 0, out + err
    css = (mini / "dist/site/_assets/default/site.css").read_text()
    faces = css.split(":root")[0]
    assert 'font-family: "briefgen-mono"' in faces and faces.count("@font-face") == 10
    assert len(list((mini / "dist/site/_assets/default/fonts").glob("*.woff2"))) == 6
    page = parse(mini / "dist/site/demo/index.html")
    assert page.find("code").text == "code"
    assert page.find("strong").find("em") or page.find("em").find("strong")


def test_share_image_is_1200_by_630_in_the_brand_colours(_web_built: Path) -> None:
    from PIL import Image

    for bid in ALL:
        image = Image.open(_web_built / f"dist/site/{bid}/share.png")
        assert image.size == (1200, 630) and image.format == "PNG"
        colours = {c for _, c in image.convert("RGB").getcolors(1 << 16)}
        assert (0x8E, 0x1B, 0x2E) in colours and (0xFF, 0xFF, 0xFF) in colours
        assert (0xE3, 0xA1, 0x1B) in colours  # the accent rule and logo bars
        assert (_web_built / f"dist/site/{bid}/share.png").stat().st_size < 60_000


# ---------------------------------------------------------------------- the build
def test_rebuild_rewrites_nothing_and_force_gives_identical_bytes(web: Path) -> None:
    before, times = tree(web), mtimes(web)
    results = build_web(web)
    assert results["html"].built == [] and sorted(results["html"].unchanged) == ALL
    assert mtimes(web) == times
    build_web(web, force=True)
    assert tree(web) == before


def test_forcing_named_briefings_forces_their_pages_not_the_shared_files(
        web: Path, monkeypatch) -> None:
    """`build ID --force` renders that page again; the brand's stylesheet and web fonts
    (seconds to subset and compress) and the index are made again only when out of date or
    missing, and a plain `--force` still makes everything."""
    import briefgen.render.html.assets as assets

    made = []
    real = assets.woff2

    def counting(path, *args, **kwargs):
        made.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(assets, "woff2", counting)
    before = tree(web)
    results = build_web(web, ids=["defector-asylum"], force=True)
    assert results["html"].built == ["defector-asylum"] and made == []
    assert tree(web) == before

    fonts = web / "dist/site/_assets/default/fonts"
    lost = sorted(fonts.glob("*.woff2"))[0]
    lost.unlink()  # the stylesheet is still there: the fonts it names are checked too
    results = build_web(web, ids=["defector-asylum"])  # the page itself is up to date
    assert results["html"].built == [] and len(made) >= 1
    assert tree(web) == before  # the missing files are back, the same bytes

    made.clear()
    build_web(web, force=True)
    assert len(made) == len(list(fonts.glob("*.woff2"))) and tree(web) == before


def test_a_broken_web_template_fails_the_pages_and_says_why_once(web: Path, cli) -> None:
    page = web / "styles/web/page.html.j2"
    page.write_text(page.read_text(encoding="utf-8") + "{% if %}\n", encoding="utf-8")
    line = page.read_text(encoding="utf-8").count("\n")
    code, out, err = cli("build", "military-cooperation", "--root", str(web))
    error = (f"styles/web/page.html.j2:{line}:1: template syntax error: Expected an "
             "expression, got 'end of statement block'")
    assert code == 1 and err.count(error) == 1
    assert err.endswith("military-cooperation: not built; its previous page is kept\n")
    assert "screen: built 0, unchanged 1, failed 0" in out
    assert "web: built 0, unchanged 0, failed 1" in out


def test_check_renders_the_web_templates_once(web: Path, cli) -> None:
    """A template that compiles but fails on what it is given (a misspelt name) passed
    check; every page then failed in the build."""
    line = replace_once(web / "styles/web/page.html.j2", "{{ t.web_published }}",
                        "{{ t.web_publishd }}")
    code, out, _ = cli("check", "--root", str(web))
    assert code == 1
    assert (f"  styles/web/page.html.j2:{line}:1: web template error: 'dict object' has no "
            "attribute 'web_publishd'\n") in out


def test_a_template_cannot_include_a_file_outside_its_folder(web: Path, cli,
                                                            tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    page = web / "styles/web/page.html.j2"
    rel = os.path.relpath(secret, page.parent)
    page.write_text(page.read_text(encoding="utf-8").replace(
        "{{ t.web_published }}", '{% include "' + rel + '" %}{{ t.web_published }}', 1),
        encoding="utf-8")
    code, out, _ = cli("check", "--root", str(web))
    assert code == 1 and f"web template error: '{rel}' is not a template in styles/web/ (a " \
        "template can include or extend only the templates beside it)" in out
    code, out, err = cli("build", "--root", str(web))
    assert code == 1 and "SECRET" not in out + err
    assert not any("SECRET" in p.read_text(errors="replace")
                   for p in (web / "dist/site").rglob("*.html"))


def test_a_template_beside_the_others_that_links_out_of_the_project_is_not_read(
        web: Path, cli, tmp_path: Path) -> None:
    """A template in styles/web/ that is a link to a file outside the project was read and
    printed on the public pages (found by review): the loader follows no link out."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    (web / "styles/web/extra.j2").symlink_to(secret)
    replace_once(web / "styles/web/page.html.j2", "{{ t.web_published }}",
                 '{% include "extra.j2" %}{{ t.web_published }}')
    code, out, _ = cli("check", "--root", str(web))
    assert code == 1
    assert f"  styles/web/extra.j2: this is a link to {secret}, outside the project: briefgen " \
           "reads only the project's own files (put the file itself here instead of a " \
           "link)\n" in out
    before = tree(web)
    code, out, err = cli("build", "--root", str(web))
    assert code == 1 and "SECRET" not in out + err and "internal error" not in err
    assert tree(web) == before


def test_one_briefing_built_keeps_the_index_note_that_the_templates_compile(
        web: Path, monkeypatch) -> None:
    """Compiling the web templates costs about 0.1 s: a build of one briefing keeps the
    index's record that they compile (a digest of their files) instead of dropping it."""
    from briefgen.incremental.index import ProjectIndex
    from briefgen.render.html import HtmlRenderer

    briefgen.open_workspace(web).save_index()  # the whole project: the templates checked
    index = web / "dist/.briefgen/index.json"
    assert ProjectIndex.load(index).web_ok
    build_web(web, ids=["defector-asylum"], force=True)
    assert ProjectIndex.load(index).web_ok

    def no_compiling(*args, **kwargs):
        raise AssertionError("the templates were compiled again")

    monkeypatch.setattr(HtmlRenderer, "check", no_compiling)
    assert build_web(web, ids=["defector-asylum"], force=True)["html"].built == \
        ["defector-asylum"]


def test_a_repaired_print_pdf_keeps_its_inputs_and_its_link(web: Path) -> None:
    """With mail settings, check's rehearsal of the mail templates ran inside the build's
    saving of the index and resolved a briefing whose state came from the index; the next
    profile then recorded a repaired print PDF with no inputs, and its page dropped the
    print PDF (found by review)."""
    import json

    from smtpserver import SETTINGS

    (web / "mail").mkdir()
    (web / "mail/settings.yaml").write_text(SETTINGS, encoding="utf-8")
    build_web(web)
    first = ALL[0]
    os.utime(web / f"dist/{ALL[1]}.pdf")  # a screen PDF touched: no screen no-op
    with open(web / f"dist/print/{first}.pdf", "ab") as pdf:
        pdf.write(b"x\n")  # the first briefing's print PDF damaged
    results = build_web(web)
    assert results["print"].built == [first]
    manifest = json.loads((web / "dist/.briefgen/manifest.json").read_text())
    assert len(manifest["briefings"][f"print:{first}"]["deps"]) > 10
    page = (web / f"dist/site/{first}/index.html").read_text(encoding="utf-8")
    assert f"{first}-print.pdf" in page and (web / f"dist/site/{first}/{first}-print.pdf").is_file()


def test_a_fresh_build_elsewhere_gives_identical_bytes(web: Path, tmp_path: Path) -> None:
    other = make_project(tmp_path / "other", FIXTURES / "full" / "briefings")
    build_web(other, jobs=1)
    assert tree(other) == tree(web)


def test_unchanged_tree_is_recognised_without_parsing(web: Path, monkeypatch) -> None:
    def no_parsing(*args, **kwargs):
        raise AssertionError("an unchanged tree must not be parsed")

    monkeypatch.setattr("briefgen.workspace.open_workspace", no_parsing)
    results = build_web(web)
    assert sorted(results["html"].unchanged) == ALL


def test_fact_edit_rewrites_exactly_the_pages_that_print_it(web: Path) -> None:
    before, times = tree(web), mtimes(web)
    edit(web / "briefings/facts/countries/russia.yaml", "paid for with Russian loans",
         "financed by Russian loans")
    results = build_web(web)
    users = sorted(results["screen"].built)
    assert users and results["html"].built == users and len(users) < len(ALL)
    after = tree(web)
    changed = sorted(k for k in after if after[k] != before.get(k))
    # the pages of the briefings that print it, and perhaps their entries in the feed and
    # the index (which give the PDFs' sizes: a small edit can leave a size as it was)
    assert [k for k in changed if k not in ("feed.xml", "index.html")] == sorted(
        f"{b}/{name}" for b in users for name in ("index.html", f"{b}.pdf", f"{b}-print.pdf"))
    now = mtimes(web)
    assert [k for k in now if now[k] != times[k]] == changed  # nothing else was written


def test_a_fact_in_a_lead_also_rewrites_the_index_entry(web: Path) -> None:
    before = tree(web)
    edit(web / "briefings/facts/countries/australia.yaml",
         "accepted defectors from the Myanmar military who were seeking asylum",
         "accepted defectors from the Myanmar military who have asked for asylum")
    assert build_web(web)["html"].built == ["defector-asylum"]
    after = tree(web)
    changed = {k for k in after if after[k] != before.get(k)}
    assert {"index.html", "feed.xml", "defector-asylum/index.html"} <= changed
    assert not any(k.startswith(("russia-military-ties/", "military-cooperation/",
                                 "admm-plus-counter-terrorism/", "_assets/")) for k in changed)
    assert "have asked for asylum" in (web / "dist/site/index.html").read_text()


def test_lead_edit_rewrites_its_page_and_the_index(web: Path) -> None:
    before = tree(web)
    edit(web / "briefings/russia-military-ties.yaml", "What each of the two supplies",
         "What each of the two countries supplies")
    results = build_web(web)
    assert results["html"].built == ["russia-military-ties"]
    after = tree(web)
    changed = {k for k in after if after[k] != before.get(k)}
    assert {"index.html", "feed.xml", "russia-military-ties/index.html"} <= changed
    assert not any(k.startswith(("defector-asylum/", "military-cooperation/", "_assets/"))
                   for k in changed)


def test_deleted_spec_removes_its_page_and_index_entry(web: Path) -> None:
    (web / "briefings/defector-asylum.yaml").unlink()
    results = build_web(web)
    assert results["html"].removed == ["defector-asylum"]
    assert not (web / "dist/site/defector-asylum").exists()
    assert "defector-asylum" not in (web / "dist/site/index.html").read_text()
    assert "defector-asylum" not in (web / "dist/site/feed.xml").read_text()


def test_broken_briefing_keeps_its_page_and_the_index(web: Path, cli) -> None:
    before = tree(web)
    edit(web / "briefings/russia-military-ties.yaml", "title:", "titel:")
    edit(web / "briefings/facts/countries/australia.yaml", "who were seeking asylum",
         "who have asked for asylum")
    code, out, err = cli("build", "--root", str(web), "--profile", "all")
    assert code == 1
    assert "russia-military-ties: not built; its previous PDF is kept" in err
    assert "the index, feed and sitemap keep their previous version until " \
           "russia-military-ties can be built" in out
    after = tree(web)
    assert after["russia-military-ties/index.html"] == \
        before["russia-military-ties/index.html"]
    assert after["index.html"] == before["index.html"]
    assert after["defector-asylum/index.html"] != before["defector-asylum/index.html"]
    code, out, _ = cli("build", "--root", str(web), "--json")
    assert code == 1 and json.loads(out)["html"]["note"] == (
        "the index, feed and sitemap keep their previous version until "
        "russia-military-ties can be built")


@pytest.mark.parametrize("fault", ["render", "write"])
def test_a_page_that_fails_keeps_the_index_and_feed(web: Path, cli, monkeypatch,
                                                    fault: str) -> None:
    """A page can fail where ``check`` cannot see (its share image, its file cannot be
    written): it keeps its previous version, and so do the index and feed, which would
    otherwise list the new title beside the old page."""
    from briefgen.errors import RenderError
    from briefgen.render.html import HtmlRenderer

    bid = "russia-military-ties"
    spec = web / f"briefings/{bid}.yaml"
    edit(spec, "protection at the UN\"", "protection at the UN (revised)\"")
    before = tree(web)
    if fault == "render":
        page = HtmlRenderer.page

        def failing(self, doc, brand, context):
            if doc.id == bid:
                raise RenderError("the share image cannot be drawn")
            return page(self, doc, brand, context)

        monkeypatch.setattr(HtmlRenderer, "page", failing)
    else:
        (web / f"dist/site/{bid}/index.html").unlink()
        (web / f"dist/site/{bid}/index.html").mkdir()
    code, out, err = cli("build", "--root", str(web), "--format", "html")
    assert code == 1
    assert f"{bid}: not built; its previous page is kept" in err
    assert out.splitlines()[-2:] == [
        f"the index, feed and sitemap keep their previous version until {bid} can be "
        "built", "built 0, unchanged 3, failed 1, removed 0"]
    after = tree(web)
    for name in ("index.html", "feed.xml", f"{bid}/share.png"):
        assert after[name] == before[name], name
    monkeypatch.undo()
    if fault == "write":
        (web / f"dist/site/{bid}/index.html").rmdir()
    code, out, err = cli("build", "--root", str(web), "--format", "html")
    assert code == 0, err
    assert "(revised)" in (web / "dist/site/index.html").read_text(encoding="utf-8")
    assert "(revised)" in (web / "dist/site/feed.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("blocked", ["russia-military-ties.pdf", "share.png"])
def test_a_page_is_put_in_place_whole_with_its_pdfs_or_not_at_all(web: Path, cli,
                                                                 blocked: str) -> None:
    """Found by review: the page's files and the PDFs beside it were written by separate
    jobs, so a PDF copy that could not be written left the new page published (and a page
    that could not be written got the new PDFs beside its old HTML)."""
    bid = "russia-military-ties"
    edit(web / f"briefings/{bid}.yaml", "protection at the UN\"",
         "protection at the UN (revised)\"")
    before = tree(web)
    (web / f"dist/site/{bid}/{blocked}").unlink()
    (web / f"dist/site/{bid}/{blocked}").mkdir()
    code, _out, err = cli("build", "--root", str(web), "--profile", "all")
    assert code == 1
    assert err.splitlines()[:3] == [
        f"{bid}: not built; its previous page is kept", f"  dist/site/{bid}/{blocked}",
        f"    dist/site/{bid}/{blocked}: cannot write: a folder is in the way; move it aside"]
    after = tree(web)
    assert {k: v for k, v in after.items() if k.startswith(f"{bid}/")} == \
        {k: v for k, v in before.items() if k.startswith(f"{bid}/") and
         k != f"{bid}/{blocked}"}
    assert after["index.html"] == before["index.html"]
    assert not list((web / f"dist/site/{bid}").glob(".*.tmp"))


def test_a_rename_that_fails_half_way_puts_back_what_it_replaced(tmp_path: Path,
                                                                monkeypatch) -> None:
    """The last step of writing several files together renames each over its file: should
    the second rename fail, the first file is put back as it was."""
    import errno

    import briefgen.files as files

    a, b = tmp_path / "a.html", tmp_path / "b.png"
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    real, calls = files.os.replace, []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), src)
        return real(src, dst)

    monkeypatch.setattr(files.os, "replace", flaky)
    with pytest.raises(OSError) as caught:
        files.write_all_atomic([(a, b"new a"), (b, b"new b")])
    assert caught.value.filename == str(b)  # the file it was about, not a temporary one
    assert (a.read_bytes(), b.read_bytes()) == (b"old a", b"old b")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.png"]


def test_a_full_disk_mid_page_leaves_every_file_of_the_page_as_it_was(web: Path, cli,
                                                                     monkeypatch) -> None:
    """A page's files (its HTML and share image) are written all or none: the disk filling
    up at the second leaves the first as it was too, never a new card beside an old page."""
    import errno

    import briefgen.files as files

    bid = "russia-military-ties"
    edit(web / f"briefings/{bid}.yaml", "protection at the UN\"",
         "protection at the UN (revised)\"")
    before = tree(web)
    real = files.os.fsync
    calls = []

    def full(fd):
        if os.readlink(f"/proc/self/fd/{fd}").split("/")[-1].startswith(".share.png."):
            calls.append(fd)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    monkeypatch.setattr(files.os, "fsync", full)
    code, _out, err = cli("build", "--root", str(web), "--format", "html")
    assert code == 1 and calls
    assert f"dist/site/{bid}/share.png: cannot write: the disk is full; free some space " \
           "and run it again" in err
    after = tree(web)
    assert after == before
    assert not list((web / f"dist/site/{bid}").glob(".*.tmp"))


def _table(data: bytes, tag: bytes) -> tuple[int, int]:
    """(offset, length) of a TrueType table."""
    for n in range(int.from_bytes(data[4:6], "big")):
        entry = data[12 + 16 * n:28 + 16 * n]
        if entry[:4] == tag:
            return int.from_bytes(entry[8:12], "big"), int.from_bytes(entry[12:16], "big")
    raise KeyError(tag)


def _damaged_but_vouched_for(web: Path, font: Path, data: bytearray, good: str) -> None:
    """Write the damaged ``data`` over ``font``, make the font cache vouch for it as it did
    for the good bytes (``good``: their hash), and edit a briefing so that it is rebuilt."""
    font.write_bytes(bytes(data))
    cache_file = web / "dist/.briefgen/fonts.json"
    cache = json.loads(cache_file.read_text())
    cache["fonts"][hashlib.sha256(data).hexdigest()[:16]] = cache["fonts"][good]
    cache_file.write_text(json.dumps(cache))
    edit(web / "briefings/russia-military-ties.yaml", "protection at the UN\"",
         "protection at the UN (revised)\"")


@pytest.mark.parametrize("damage", ["table directory", "glyf", "loca", "hmtx"])
@pytest.mark.parametrize("formats", [("--format", "html"), ("--profile", "all")])
def test_a_damaged_font_a_tampered_cache_vouches_for_fails_cleanly(web: Path, cli, formats,
                                                                  damage: str) -> None:
    """check trusts dist/.briefgen/fonts.json (by content hash); a font damaged since, with
    the cache made to vouch for the damaged bytes, passed check and then crashed the build
    in Pillow (share image) and fontTools (web fonts), exit 3; with a table zeroed, they
    drew nothing and the build published blank share images and empty web fonts (found by
    review). Now each output that needs the font fails at the font file, and every file
    stays as it was."""
    font = web / "styles/fonts/Lato-Black.ttf"
    data = bytearray(font.read_bytes())
    good = hashlib.sha256(data).hexdigest()[:16]
    if damage == "table directory":
        data[12:200] = b"\x07" * 188
    else:  # well-formed glyphs with no outline, or no width
        offset, length = _table(bytes(data), damage.encode())
        data[offset:offset + length] = bytes(length)
    _damaged_but_vouched_for(web, font, data, good)
    assert cli("check", "--root", str(web))[0] == 0  # what the cache says
    before = tree(web)
    pdfs = {p: p.read_bytes() for p in (web / "dist").rglob("*.pdf")}
    code, _out, err = cli("build", "--root", str(web), *formats)
    assert code == 1, err
    lines = err.splitlines()
    assert "the stylesheet and web fonts of brand default: not made; the previous files " \
           "are kept" in lines
    said = [line for line in lines if line.startswith("    styles/fonts/Lato-Black.ttf: ")]
    assert said and all("damaged" in line for line in said), said
    if damage != "table directory":
        assert "    styles/fonts/Lato-Black.ttf: this font file is damaged (its letters have " \
               "no outlines or no widths: text set in it would not show): replace it with a " \
               "good copy" in lines
    assert "internal error" not in err
    assert tree(web) == before
    assert {p: p.read_bytes() for p in (web / "dist").rglob("*.pdf")} == pdfs


def test_pages_whose_brand_web_fonts_fail_keep_their_previous_version(web: Path, cli) -> None:
    """A page depends on its brand's web fonts: when they cannot be made (a font damaged
    after check, vouched for by a tampered cache, in a face the share image does not use),
    the pages that would be rebuilt fail and keep their previous version, and so do the
    index and feed. They used to be rewritten beside the previous font subsets, which lack
    any new letter."""
    font = web / "styles/fonts/Lato-Italic.ttf"
    data = bytearray(font.read_bytes())
    good = hashlib.sha256(data).hexdigest()[:16]
    offset, length = _table(bytes(data), b"glyf")
    data[offset:offset + length] = bytes(length)
    _damaged_but_vouched_for(web, font, data, good)
    assert cli("check", "--root", str(web))[0] == 0  # what the cache says
    before = tree(web)
    code, out, err = cli("build", "--root", str(web), "--format", "html")
    assert code == 1, err
    assert tree(web) == before
    assert "built 0, unchanged 0, failed 5, removed 0" in out
    assert "the index, feed and sitemap keep their previous version until " \
           "admm-plus-counter-terrorism, defector-asylum, military-cooperation, " \
           "russia-military-ties can be built" in out
    lines = err.splitlines()
    brand_at = lines.index("the stylesheet and web fonts of brand default: not made; the "
                           "previous files are kept")
    page_at = lines.index("russia-military-ties: not built; its previous page is kept")
    assert brand_at < page_at  # the page says "see above"
    assert lines[page_at + 2] == "    styles/default.yaml: the page needs the web fonts of " \
                                 "brand default, which could not be made (see above)"
    assert "internal error" not in err
def test_format_option_and_pdf_links_that_follow_the_pdfs(full: Path, cli) -> None:
    code, out, _ = cli("build", "--root", str(full), "--format", "html")
    assert code == 0 and "built 4, unchanged 0" in out
    assert not list((full / "dist").glob("*.pdf"))
    page = parse(full / "dist/site/military-cooperation/index.html")
    assert page.find("ul", class_="downloads") is None  # no PDF yet: no link to one
    code, out, _ = cli("build", "--root", str(full), "--format", "pdf")
    assert code == 0 and not any("web" in line for line in out.splitlines())
    code, out, _ = cli("build", "--root", str(full))  # default: all formats, screen PDFs
    assert code == 0 and "web: built 4, unchanged 0" in out and "screen: built 0" in out
    page = parse(full / "dist/site/military-cooperation/index.html")
    assert [a.attrs["href"] for a in page.find("ul", class_="downloads").find_all("a")] == \
        ["military-cooperation.pdf"]
    code, out, _ = cli("build", "--root", str(full), "--json")
    assert code == 0 and set(json.loads(out)) == {"screen", "html"}


def test_a_stale_print_pdf_is_not_offered(web: Path) -> None:
    edit(web / "briefings/facts/countries/australia.yaml",
         "accepted defectors from the Myanmar military who were seeking asylum",
         "accepted defectors from the Myanmar military who have asked for asylum")
    build_web(web, profiles=("screen",))  # the print PDF of defector-asylum is now old
    folder = web / "dist/site/defector-asylum"
    page = parse(folder / "index.html")
    assert [a.attrs["href"] for a in page.find("ul", class_="downloads").find_all("a")] == \
        ["defector-asylum.pdf"]
    assert not (folder / "defector-asylum-print.pdf").exists()
    build_web(web)
    assert (folder / "defector-asylum-print.pdf").read_bytes() == \
        (web / "dist/print/defector-asylum.pdf").read_bytes()


def test_a_template_error_is_located_and_keeps_the_pages(web: Path, cli) -> None:
    before = tree(web)
    page = web / "styles/web/page.html.j2"
    lines = page.read_text().splitlines()
    lines[20] += " {% if %}"
    page.write_text("\n".join(lines) + "\n")
    code, _, err = cli("build", "--root", str(web), "--format", "html")
    assert code == 1
    assert "styles/web/page.html.j2:21:1: template syntax error" in err
    assert tree(web) == before


def test_renderer_protocol_and_imports() -> None:
    import subprocess
    import sys

    from briefgen.render import FORMATS, renderer

    html = renderer("html")
    assert html.name == "html" and set(FORMATS) == {"pdf", "html"}
    for method in ("check", "render", "page", "brand_assets", "index"):
        assert callable(getattr(html, method))
    code = ("import sys, briefgen.render.html.page, briefgen.render.html.share, "
            "briefgen.render.html.assets, briefgen.incremental.site; "
            "sys.exit(any(m.startswith('reportlab') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0, \
        "the HTML renderer must not import ReportLab"
    pdf_sources = (Path(briefgen.__file__).parent / "render/pdf").rglob("*.py")
    assert not any("render.html" in p.read_text() or ".html import" in p.read_text()
                   for p in pdf_sources)


def test_check_reports_a_template_error_with_file_and_line(full: Path, cli) -> None:
    page = full / "styles/web/page.html.j2"
    page.parent.mkdir(parents=True, exist_ok=True)
    if not page.exists():
        import shutil

        from conftest import REPO

        shutil.copytree(REPO / "styles/web", full / "styles/web", dirs_exist_ok=True)
    page.write_text(page.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    code, out, _ = cli("check", "--root", str(full))
    assert code == 1
    assert "styles/web/page.html.j2:" in out


def test_a_deleted_briefing_keeps_its_page_while_the_index_that_lists_it_is_kept(
        web: Path, cli) -> None:
    """With another briefing broken, the index, feed and sitemap keep their previous
    version, yet the page of a deleted briefing was removed: they linked to a page that was
    gone (found by review). The page stays until the index can be made again."""
    set_base_url(web)
    assert cli("build", "--root", str(web))[0] == 0
    edit(web / "briefings/defector-asylum.yaml", "date: ", "date: 2026-02-30 #")
    (web / "briefings/russia-military-ties.yaml").unlink()
    code, out, _ = cli("build", "--root", str(web))
    assert code == 1
    assert "the index, feed and sitemap keep their previous version" in out
    page = web / "dist/site/russia-military-ties/index.html"
    assert page.is_file()
    for name in ("index.html", "feed.xml", "sitemap.xml"):
        for href in re.findall(r'(?:href|src)="([^"]+)"|<loc>([^<]+)</loc>',
                               (web / "dist/site" / name).read_text()):
            link = next(h for h in href if h).removeprefix(BASE)
            if link.startswith("russia-military-ties/"):
                assert (web / "dist/site" / link.split("#")[0]).exists() or \
                    link.endswith("/"), link
    edit(web / "briefings/defector-asylum.yaml", "date: 2026-02-30 #", "date: ")
    code, out, _ = cli("build", "--root", str(web))
    assert code == 0 and not page.exists()
    assert "russia-military-ties" not in (web / "dist/site/feed.xml").read_text()


def test_a_link_out_of_the_project_beside_the_templates_is_never_read(web: Path, cli,
                                                                      tmp_path: Path,
                                                                      monkeypatch) -> None:
    """The templates' digest read every file under styles/web/, through a link out of the
    project too (found by review)."""
    outside = tmp_path / "outside-secret.txt"
    outside.write_text("SECRET", encoding="utf-8")
    (web / "styles/web/notes.txt").symlink_to(outside)
    read: list[str] = []
    real = Path.read_bytes

    def spy(self: Path) -> bytes:
        read.append(os.path.realpath(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    assert cli("build", "--root", str(web))[0] == 0
    assert str(outside) not in read


def _feed_dates(root: Path) -> dict[str, tuple[str, str]]:
    """Each entry's (published, updated), by the page it links to; "feed": the feed's."""
    feed = ET.parse(root / "dist/site/feed.xml").getroot()
    out = {"feed": ("", feed.find(f"{ATOM}updated").text)}
    for entry in feed.findall(f"{ATOM}entry"):
        page = entry.find(f"{ATOM}link[@rel='alternate']").attrib["href"]
        out[page.removeprefix(BASE).split("/")[0]] = (entry.find(f"{ATOM}published").text,
                                                      entry.find(f"{ATOM}updated").text)
    return out


def _lastmods(root: Path) -> dict[str, str]:
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    sitemap = ET.parse(root / "dist/site/sitemap.xml").getroot()
    return {u.find(f"{ns}loc").text.removeprefix(BASE).rstrip("/") or "index":
            u.find(f"{ns}lastmod").text for u in sitemap.iter(f"{ns}url")}


def test_a_published_correction_updates_the_feed_and_the_sitemap(web: Path) -> None:
    """An entry's <updated> and its page's lastmod were the briefing's date: a corrected
    fact changed the feed's summary but no date, so feed readers never showed the
    correction. They are now the later of the date and the time the newest edition was
    published (from its edition.json, never the clock); <published> stays the date."""
    import datetime as dt

    set_base_url(web)
    build_web(web)
    day = "2026-11-23"  # every fixture briefing's date
    assert _feed_dates(web) == {"feed": ("", f"{day}T00:00:00Z"),
                                **{b: (f"{day}T00:00:00Z", f"{day}T00:00:00Z") for b in ALL}}
    assert _lastmods(web) == {"index": day, **{b: day for b in ALL}}

    ws = briefgen.open_workspace(web)
    noon = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    briefgen.publish(ws, "defector-asylum", by="Test", now=noon)
    build_web(web)
    first = {"feed": ("", "2026-11-28T12:00:00Z"),
             "defector-asylum": (f"{day}T00:00:00Z", "2026-11-28T12:00:00Z")}
    assert _feed_dates(web) == {**{b: (f"{day}T00:00:00Z", f"{day}T00:00:00Z") for b in ALL},
                                **first}
    assert _lastmods(web) == {**{b: day for b in ALL}, "index": "2026-11-28T12:00:00Z",
                              "defector-asylum": "2026-11-28T12:00:00Z"}

    # a correction to a fact the lead prints, published the same day (a date alone would
    # not change): the summary and <updated> change together
    edit(web / "briefings/facts/countries/australia.yaml",
         "accepted defectors from the Myanmar military who were seeking asylum",
         "accepted defectors from the Myanmar military who have asked for asylum")
    build_web(web)
    assert _feed_dates(web)["defector-asylum"] == first["defector-asylum"]  # not published
    briefgen.publish(briefgen.open_workspace(web), "defector-asylum", by="Test",
                     now=noon + dt.timedelta(hours=3, minutes=5))
    build_web(web)
    dates = _feed_dates(web)
    assert dates["defector-asylum"] == (f"{day}T00:00:00Z", "2026-11-28T15:05:00Z")
    assert dates["feed"] == ("", "2026-11-28T15:05:00Z")
    assert _lastmods(web)["defector-asylum"] == "2026-11-28T15:05:00Z"
    feed = (web / "dist/site/feed.xml").read_text(encoding="utf-8")
    assert "have asked for asylum" in feed
    # deterministic: a fresh build of the same files gives the same feed and sitemap
    before = {n: (web / "dist/site" / n).read_bytes() for n in ("feed.xml", "sitemap.xml")}
    times = mtimes(web)
    build_web(web)
    assert mtimes(web) == times  # a no-op build writes nothing
    shutil.rmtree(web / "dist")
    build_web(web)
    assert {n: (web / "dist/site" / n).read_bytes() for n in before} == before


# ---------------------------------------------------------------------- share image fit
def _share(workspace, title: str | None = None, name: str | None = None,
           tagline: str | None = None):
    """defector-asylum's share image with another title or publisher: (image, doc, brand)."""
    import dataclasses

    from PIL import Image

    from briefgen.render.html import share

    doc = workspace.document("defector-asylum")
    brand = workspace.brand_of(doc.id).for_language(doc.language)
    publisher = doc.publisher.model_copy(update={
        k: v for k, v in (("name", name), ("tagline", tagline)) if v is not None})
    doc = dataclasses.replace(doc, title=title or doc.title, publisher=publisher)
    image = Image.open(io.BytesIO(share.share_png(doc, brand)))
    return image, doc, brand


def _inked_columns(image, box: tuple[int, int, int, int]) -> list[int]:
    """The x of every column of ``box`` (left, top, right, bottom) with a pixel not in the
    band's colour (palette index 0)."""
    region = image.crop(box)
    data, w = region.tobytes(), region.width
    return sorted({box[0] + i % w for i, v in enumerate(data) if v})


@pytest.mark.parametrize("title", [
    "Protection: www.burmacampaign.org.uk/defectors-and-deserters-from-the-myanmar-army",
    "Rechtsschutzversicherungsgesellschaften and defectors",
])
def test_a_share_title_with_a_word_wider_than_the_line_is_shrunk_or_broken(
        workspace, title: str) -> None:
    """A word wider than the line was neither shrunk nor broken: the address above showed
    "…org.uk/defecto" and ran off the picture. Now every line fits: at a smaller size if the
    word fits there (the German word does, at 56), else broken after a "/" or "-"."""
    from briefgen.render.html import share

    image, _, brand = _share(workspace, title)
    path, width = brand.face("title", "bold"), share.WIDTH - 2 * share.MARGIN
    lines, size = share._fit_title(title, path, width)
    assert all(share._width(line, path, size) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == title.replace(" ", "")  # nothing left out
    if title.startswith("Protection"):
        assert (lines, size) == (["Protection:", "www.burmacampaign.org.uk/",
                                  "defectors-and-deserters-from-", "the-myanmar-army"], 68)
    else:
        assert lines[0] == "Rechtsschutzversicherungsgesellschaften" and size == 56
    # the pixels: no ink right of the title's margin (the band there is empty)
    assert _inked_columns(image, (share.WIDTH - share.MARGIN + 2, 260, share.WIDTH,
                                  share.HEIGHT)) == []
    inked = _inked_columns(image, (0, 260, share.WIDTH, share.HEIGHT))
    assert inked[0] >= share.MARGIN - 2 and inked[-1] > share.WIDTH / 2


def test_share_publisher_name_and_tagline_stop_short_of_the_label_and_date(workspace) -> None:
    """The name and tagline were drawn with no width limit and ran over "BRIEFING" and the
    date. Now they are shrunk, then shortened with "…", to the room left of them."""
    from briefgen.render.html import share

    name = "Burma Campaign UK and the Coalition for Human Rights and Democracy in Myanmar"
    tagline = ("for Human Rights, Democracy & Development in Burma, and for the people of "
               "every ethnic state")
    image, doc, brand = _share(workspace, name=name, tagline=tagline)
    gap, right = 32, share.WIDTH - share.MARGIN
    first = min(right - share._width("BRIEFING", brand.face("small", "bold"), 22),
                right - share._width("23 November 2026", brand.face("small", "regular"), 26))
    # the pixels of the header rows: left of the label and date, a clear gap...
    top, bottom = share.MARGIN, share.MARGIN + 100
    assert _inked_columns(image, (round(first) - gap + 4, top, round(first) - 2, bottom)) == []
    # ...and the inked columns left of it reach close to it: the room is used
    left_ink = _inked_columns(image, (share.MARGIN + share.LOGO + 20, top, round(first) - 2,
                                      bottom))
    assert left_ink[-1] > first - gap - 40
    # the texts drawn, measured with the code that draws them
    placed = share.header(doc, brand)
    assert [p.text for p in placed[2:]] == ["BRIEFING", "23 November 2026"]
    assert min(p.span[0] for p in placed[2:]) == first and gap == share.HEADER_GAP
    for p, whole in zip(placed[:2], (name, tagline), strict=True):
        assert p.text.endswith("…") and whole.startswith(p.text[:-1])
        assert p.size == (share.NAME_SIZES, share.TAGLINE_SIZES)[whole == tagline][-1]
        assert p.span[1] <= first - gap
    # a name that fits is drawn whole at its size (the fixture's share images are unchanged)
    placed = share.header(workspace.document("defector-asylum"), brand)
    assert [(p.text, p.size) for p in placed[:2]] == [
        ("Burma Campaign UK", 34), ("for Human Rights, Democracy & Development in Burma", 22)]
