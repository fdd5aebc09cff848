"""What the page template of one briefing is given: the document in reading order, with
inline text already made safe HTML, the notes with every place each is cited, the head's
metadata (description, Open Graph, Twitter card, JSON-LD) and the publisher block.

Templates see plain values and lists (see ``styles/web/page.html.j2``); everything that
holds markup is a ``Markup`` made here from escaped text, so a template that prints a value
can never let spec text through unescaped.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from ...resolve.model import CountryListBlock, Document, Heading, Para
from ...validate.brand import Brand
from ...validate.strings import ENGLISH, Strings
from .context import Download, EditionLink, IndexEntry, PageContext, SiteContext
from .inline import Citations, clean, plain, safe_href, spans_html, url_link

DESCRIPTION_LENGTH = 200
#: the language of the index and the feed: that of their fixed texts (``ENGLISH``), whatever
#: the language of the briefings they list
INDEX_LANGUAGE = "en-GB"
SHARE_IMAGE = "share.png"
SHARE_SIZE = (1200, 630)


def label(profile: str, strings: Strings = ENGLISH) -> str:
    """How a PDF download is named on the page."""
    return {"screen": strings.web_pdf_screen, "print": strings.web_pdf_print}.get(
        profile, f"PDF ({profile})")


def with_times(template: str, **dates: tuple[str, str]) -> Markup:
    """A fixed text with ``<time>`` elements in its placeholders: each date is (ISO, text)."""
    return Markup(escape(template)).format(**{
        name: Markup('<time datetime="{}">{}</time>').format(iso, text)
        for name, (iso, text) in dates.items()})


@dataclass
class ParaView:
    html: Markup
    as_of: str | None = None


@dataclass
class EntryView:
    number: int
    anchor: str
    name: str
    statements: list[ParaView]
    sources: list[dict[str, Any]]


@dataclass
class SectionView:
    heading: str | None
    anchor: str
    #: ("para", ParaView) or ("countries", list[EntryView]), in reading order
    blocks: list[tuple[str, Any]] = field(default_factory=list)


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def downloads_view(downloads: tuple[Download, ...], strings: Strings = ENGLISH
                   ) -> list[dict[str, Any]]:
    return [{"href": d.href, "label": label(d.profile, strings),
             "size": size_text(d.size), "profile": d.profile} for d in downloads]


def editions_view(editions: tuple[EditionLink, ...], prefix: str = "",
                  strings: Strings = ENGLISH) -> list[dict[str, Any]]:
    out = []
    for e in editions:
        date = (e.published.isoformat(), strings.date_text(e.published))
        out.append({"name": e.name, "date": {"iso": date[0], "text": date[1]},
                    "title": with_times(strings.web_edition_of, date=date),
                    "note": e.note, "href": prefix + e.href, "size": size_text(e.size)})
    return out


def description(doc: Document) -> str:
    """The lead as one line of at most 200 characters, cut at a word (the subtitle or the
    title when there is no lead)."""
    text = " ".join(plain(p.spans) for p in doc.lead) or doc.subtitle or doc.title
    text = " ".join(clean(text).split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    cut = text[:DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:.—–-")
    return cut + "…"


def report_id(doc: Document) -> str:
    """A stable identifier for the feed and JSON-LD that needs no web address of ours."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{doc.publisher.web}#briefgen-briefing-{doc.id}").urn


def logo_svg(brand: Brand, css_class: str = "logo") -> Markup:
    """The brand sheet's vector logo as inline SVG (decorative: the publisher's name is
    printed beside it). Coordinates are the sheet's 0-100 box with y pointing up."""
    colours = {name: brand.colour(name).rgb for name in type(brand.sheet.colours).model_fields}
    parts = []
    for s in brand.sheet.logo.shapes:
        paint = (f' fill="{colours[s.fill]}"' if s.fill else ' fill="none"') + \
            (f' stroke="{colours[s.stroke]}" stroke-width="{s.width:g}"' if s.stroke else "")
        if s.kind == "circle":
            parts.append(f'<circle cx="{s.x:g}" cy="{100 - s.y:g}" r="{s.r:g}"{paint}/>')
        elif s.kind == "rect":
            parts.append(f'<rect x="{s.x:g}" y="{100 - s.y - s.h:g}" width="{s.w:g}" '
                         f'height="{s.h:g}"{paint}/>')
        else:
            parts.append(f'<line x1="{s.x:g}" y1="{100 - s.y:g}" x2="{s.x2:g}" '
                         f'y2="{100 - s.y2:g}"{paint}/>')
    return Markup(f'<svg class="{css_class}" viewBox="0 0 100 100" aria-hidden="true" '
                  f'focusable="false">{"".join(parts)}</svg>')


def script_json(value: Any) -> Markup:
    """JSON for a ``<script>`` element: ``<``, ``>`` and ``&`` escaped, so that no text can
    end the element early."""
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def publisher_view(doc: Document) -> dict[str, Any]:
    p = doc.publisher
    return {"name": p.name, "tagline": p.tagline, "address": list(p.address),
            "web": url_link(p.web), "email": url_link(f"mailto:{p.email}"),
            "phone": p.phone, "tel": "tel:" + "".join(c for c in p.phone if c.isdigit() or
                                                        c == "+")}


def _as_of(when: str | None, strings: Strings) -> str | None:
    return strings.as_of.format(date=when) if when else None


def _sections(doc: Document, cite: Citations) -> list[SectionView]:
    s = doc.strings
    sections: list[SectionView] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            sections.append(SectionView(block.text, block.anchor))
            continue
        if not sections:
            sections.append(SectionView(None, "start"))
        section = sections[-1]
        if isinstance(block, Para):
            section.blocks.append(("para", ParaView(spans_html(block.spans, cite),
                                                    _as_of(block.as_of, s))))
        elif isinstance(block, CountryListBlock):
            entries = []
            for e in block.entries:
                statements = [ParaView(spans_html(p.spans, cite), _as_of(p.as_of, s))
                              for p in e.statements]
                sources = [{"label": s.label, "link": url_link(s.url) if s.url else None}
                           for s in e.sources]
                entries.append(EntryView(e.number, f"{block.id}-{e.id}", e.name, statements,
                                         sources))
            section.blocks.append(("countries", entries))
    return sections


def _notes(doc: Document, cite: Citations) -> list[dict[str, Any]]:
    out, s = [], doc.strings
    for number in sorted(doc.notes):
        note = doc.notes[number]
        places = cite.places.get(number, [])
        backlinks = [{"href": f"#{ref}", "text": "↑" if len(places) == 1 else
                      f"↑ {s.number(k)}",
                      "label": (s.web_back.format(number=s.number(number))
                                if len(places) == 1 else
                                s.web_back_to.format(citation=s.number(k),
                                                     number=s.number(number)))}
                     for k, ref in enumerate(places, start=1)]
        out.append({"number": number, "id": f"fn-{number}", "publisher": note.publisher,
                    "title": note.title, "date": note.date,
                    "link": url_link(note.url) if note.url else None,
                    "backlinks": backlinks})
    return out


def _calls(doc: Document) -> list[dict[str, Any]]:
    p, s = doc.publisher, doc.strings
    calls = []
    if "more_briefings" in doc.calls_to_action:
        calls.append({"kind": "more_briefings", "title": s.read_more,
                      "text": "", "link": url_link(p.more_briefings)})
    if "donate" in doc.calls_to_action:
        calls.append({"kind": "donate", "title": s.donate_question,
                      "text": s.donate_request,
                      "link": url_link(p.donate)})
    return calls


def absolute(site: SiteContext, path: str) -> str | None:
    return site.base_url + path if site.base_url else None


def json_ld(doc: Document, ctx: PageContext, summary: str) -> dict[str, Any]:
    p = doc.publisher
    org = {"@type": "Organization", "name": p.name, "url": p.web, "email": p.email}
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Report", "@id": report_id(doc),
        "name": doc.title, "headline": doc.title, "description": summary,
        "inLanguage": doc.language, "datePublished": doc.date.isoformat(),
        "author": org, "publisher": org,
    }
    if doc.subtitle:
        data["alternativeHeadline"] = doc.subtitle
    if doc.keywords:
        data["keywords"] = list(doc.keywords)
    if ctx.facts_as_of:
        old, new = ctx.facts_as_of
        data["temporalCoverage"] = old.iso() if old == new else f"{old.iso()}/{new.iso()}"
    page_url = absolute(ctx.site, f"{doc.id}/")
    if page_url:
        data["url"] = page_url
        data["mainEntityOfPage"] = page_url
        data["image"] = absolute(ctx.site, f"{doc.id}/{SHARE_IMAGE}")
        data["encoding"] = [{"@type": "MediaObject", "encodingFormat": "application/pdf",
                             "contentUrl": absolute(ctx.site, f"{doc.id}/{d.href}"),
                             "contentSize": f"{d.size} B",
                             "name": label(d.profile, doc.strings)}
                            for d in ctx.downloads]
    citations = []
    for number in sorted(doc.notes):
        note = doc.notes[number]
        work: dict[str, Any] = {"@type": "CreativeWork", "name": note.title or note.publisher,
                                "publisher": {"@type": "Organization", "name": note.publisher}}
        if note.url and safe_href(note.url):
            work["url"] = note.url
        citations.append(work)
    if citations:
        data["citation"] = citations
    return data


def meta_tags(doc: Document, ctx: PageContext, summary: str) -> list[tuple[str, str, str]]:
    """(attribute, key, content) of the Open Graph and Twitter card ``<meta>`` elements;
    those that need an absolute address only with a base URL."""
    lang = doc.language.replace("-", "_")
    tags = [("property", "og:type", "article"), ("property", "og:title", doc.title),
            ("property", "og:description", summary),
            ("property", "og:site_name", doc.publisher.name), ("property", "og:locale", lang),
            ("property", "article:published_time", doc.date.isoformat())]
    page_url = absolute(ctx.site, f"{doc.id}/")
    image = absolute(ctx.site, f"{doc.id}/{SHARE_IMAGE}")
    if page_url and image:
        w, h = SHARE_SIZE
        tags += [("property", "og:url", page_url), ("property", "og:image", image),
                 ("property", "og:image:type", "image/png"),
                 ("property", "og:image:width", str(w)), ("property", "og:image:height", str(h)),
                 ("property", "og:image:alt", doc.title)]
    tags += [("name", "twitter:card", "summary_large_image" if image else "summary"),
             ("name", "twitter:title", doc.title), ("name", "twitter:description", summary)]
    if image:
        tags += [("name", "twitter:image", image), ("name", "twitter:image:alt", doc.title)]
    return tags


def texts(strings: Strings, publisher_name: str) -> dict[str, str]:
    """The fixed texts the templates print (``t.web_notes``...), in the page's language."""
    out = {name: getattr(strings, name) for name in type(strings).model_fields
           if isinstance(getattr(strings, name), str) and name not in strings.PLACES}
    out["published_by"] = strings.published_by.format(publisher=publisher_name)
    out["web_feed_title"] = strings.web_feed_title.format(publisher=publisher_name)
    return out


def page_context(doc: Document, brand: Brand, ctx: PageContext) -> dict[str, Any]:
    """``brand``: the brand of the document's language (``Brand.for_language``)."""
    s = doc.strings
    cite = Citations(s)  # lead first, then the sections: reading order
    lead = [ParaView(spans_html(p.spans, cite), _as_of(p.as_of, s)) for p in doc.lead]
    whats_new = None  # after the lead, as on the PDF's page 1
    if doc.whats_new:
        whats_new = {"since": doc.whats_new_since,
                     "lines": [ParaView(spans_html(p.spans, cite), _as_of(p.as_of, s))
                               for p in doc.whats_new]}
    sections = _sections(doc, cite)
    summary = description(doc)
    as_of = None
    if ctx.facts_as_of:
        old, new = ctx.facts_as_of
        oldest, newest = (old.iso(), s.partial(old)), (new.iso(), s.partial(new))
        as_of = {"oldest": {"iso": oldest[0], "text": oldest[1]},
                 "newest": {"iso": newest[0], "text": newest[1]}, "same": old == new,
                 "html": with_times("{oldest}", oldest=oldest) if old == new else
                 with_times(s.web_date_range, oldest=oldest, newest=newest)}
    return {
        "lang": doc.language, "id": doc.id, "title": doc.title, "subtitle": doc.subtitle,
        "short_title": doc.short_title, "t": texts(s, doc.publisher.name),
        "draft": s.draft_translation if doc.draft else None,
        "date": {"iso": doc.date.isoformat(), "text": s.date_text(doc.date)},
        "facts_as_of": as_of, "label": brand.sheet.label, "lead": lead, "whats_new": whats_new,
        "sections": sections,
        "calls": _calls(doc), "more_information": [
            {"label": i.label, "link": url_link(i.url) if i.url else None}
            for i in doc.more_information],
        "notes": _notes(doc, cite), "publisher": publisher_view(doc),
        "downloads": downloads_view(ctx.downloads, s), "description": summary,
        "editions": editions_view(ctx.editions, strings=s),
        "meta": meta_tags(doc, ctx, summary), "json_ld": script_json(json_ld(doc, ctx, summary)),
        "canonical": absolute(ctx.site, f"{doc.id}/"), "generator": ctx.site.generator,
        "logo": logo_svg(brand), "root": "../",
        "stylesheet": f"../_assets/{brand.web_name}/site.css",
        "home": "../index.html", "feed": "../feed.xml",
    }


def entry_of(state, downloads: tuple[Download, ...] = (),
             editions: tuple[EditionLink, ...] = ()) -> IndexEntry:
    """A briefing in the index, from its state (``workspace.BriefingState``): the index of a
    large project is made without resolving every briefing again."""
    return IndexEntry(state.id, state.title, state.subtitle or None,
                      dt.date.fromisoformat(state.date), state.language,
                      " ".join(clean(state.lead).split()), downloads, editions)


def updated_at(entry: IndexEntry) -> dt.datetime:
    """When a briefing last changed for its readers: the later of its date and the time
    its newest edition was published (a correction reaches the feed and the sitemap when it
    is published as an edition). Read from files, never the clock: builds stay
    deterministic."""
    start = dt.datetime.combine(entry.date, dt.time(), dt.UTC)
    return max([start, *(e.when for e in entry.editions)])


def atom_time(when: dt.datetime) -> str:
    """RFC 3339 in UTC, as Atom's dates are written: 2026-11-28T12:00:00Z."""
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def lastmod(date: dt.date | None, when: dt.datetime) -> str:
    """A sitemap's lastmod: the day alone when nothing changed after the start of the
    briefing's date, else the time (W3C Datetime)."""
    if date is not None and when == dt.datetime.combine(date, dt.time(), dt.UTC):
        return date.isoformat()
    return atom_time(when)


def index_context(entries: list[IndexEntry], brand: Brand, site: SiteContext
                  ) -> dict[str, Any]:
    publisher = site.publisher
    if publisher is None:
        raise ValueError("the index needs the publisher (SiteContext.publisher)")
    newest_first = sorted(entries, key=lambda e: (e.date, e.id), reverse=True)
    changed = [updated_at(e) for e in newest_first]
    items = [{"id": e.id, "title": e.title, "subtitle": e.subtitle, "summary": e.summary,
              "date": {"iso": e.date.isoformat(), "text": ENGLISH.date_text(e.date)},
              "lang": e.language, "own": Markup(' lang="{}"').format(e.language)
              if e.language != INDEX_LANGUAGE else "", "href": f"{e.id}/index.html",
              "url": absolute(site, f"{e.id}/"), "feed_href": absolute(site, f"{e.id}/") or
              f"{e.id}/index.html", "urn": uuid.uuid5(
                  uuid.NAMESPACE_URL, f"{publisher.web}#briefgen-briefing-{e.id}").urn,
              "downloads": [{**d, "href": f"{e.id}/{d['href']}",
                             "url": absolute(site, f"{e.id}/{d['href']}"), "length": dl.size}
                            for d, dl in zip(downloads_view(e.downloads), e.downloads,
                                             strict=True)],
              "editions": editions_view(e.editions, f"{e.id}/"),
              "updated": atom_time(when), "lastmod": lastmod(e.date, when)}
             for e, when in zip(newest_first, changed, strict=True)]
    updated = max(changed, default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    pub = {"name": publisher.name, "tagline": publisher.tagline,
           "address": list(publisher.address), "web": url_link(publisher.web),
           "web_url": publisher.web, "email": url_link(f"mailto:{publisher.email}"),
           "email_address": publisher.email, "phone": publisher.phone,
           "tel": "tel:" + "".join(c for c in publisher.phone if c.isdigit() or c == "+")}
    return {
        "lang": INDEX_LANGUAGE,
        "title": f"Briefings from {publisher.name}", "briefings": items, "publisher": pub,
        "base_url": site.base_url, "generator": site.generator, "updated": atom_time(updated),
        "lastmod": lastmod(newest_first[0].date if newest_first else None, updated),
        "feed_id": uuid.uuid5(uuid.NAMESPACE_URL, f"{publisher.web}#briefgen-feed").urn,
        "feed_url": absolute(site, "feed.xml"), "index_url": site.base_url,
        "logo": logo_svg(brand), "stylesheet": f"_assets/{brand.web_name}/site.css",
        "t": texts(ENGLISH, publisher.name),
        "home": "index.html", "feed": "feed.xml", "label": brand.sheet.label,
        "description": f"Briefings published by {publisher.name}"
                       + (f", {publisher.tagline}" if publisher.tagline else "") + ".",
    }


def printed_text(doc: Document) -> str:
    """Every character a page of ``doc`` prints, for the web fonts' subsets."""
    return doc.printed_text()


def needs(doc: Document) -> set[str]:
    """The optional web font faces ``doc``'s text uses: "code", "bold_italic"."""
    return doc.styles_used()
