"""Render a resolved :class:`Document` to PDF bytes with ReportLab.

Every fixed text comes from the document's strings (its language's
``styles/strings/<language>.yaml``), and the brand is the brand for its language (fonts,
sizes, label and footer from ``languages:`` in the sheet): a Burmese edition is set in
Burmese throughout, digits included, with no English but names and web addresses."""

from __future__ import annotations

import copy
import io
from urllib.parse import urlsplit

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Table, TableStyle
from reportlab.platypus.doctemplate import LayoutError

from ... import __version__
from ...errors import Diagnostic, RenderError
from ...resolve.model import CountryListBlock, Document, Heading, Para
from ...validate import geometry
from ...validate.branding import Brand
from .coverage import as_of, facts_as_of
from .decoration import DATE_GAP, BandLine, BandTooFull, band_lines, fit_line, footer_texts
from .fonts import DamagedFont, check_glyphs, register_brand_fonts
from .footnotes import Anchor, FootnoteState, KeepWithNotes
from .keep import HeadingBlock
from .linebreak import hyphenator
from .pages import (
    BriefingDocTemplate,
    Palette,
    PrintGeometry,
    TooManyPages,
    _bold,
    canvas_class,
    make_styles,
    page_size,
)
from .runs import Faces, Text
from .shaping import draw_line, line_width
from .textblock import TextBlock


class _Renderer:
    def __init__(self, doc: Document, brand: Brand, cmyk: bool = False):
        self.doc, self.brand = doc, brand
        from .coverage import items

        self.strings = doc.strings
        self.fonts = register_brand_fonts(brand, {brand.face(role, face)
                                                  for _, role, face, _ in items(doc, brand)})
        self.palette = Palette(brand, cmyk)
        self.styles = make_styles(brand, self.fonts, self.palette)
        # the "What's new" box sets its text like the call to action; its title in the brand
        # colour (a style of its own: faces are cached by style name)
        self.styles["box_title"] = _restyle(self.styles["cta"], "box_title",
                                            textColor=self.palette.brand, spaceAfter=2)
        self.styles["box_since"] = _restyle(self.styles["cta"], "box_since",
                                            textColor=self.palette.muted, spaceAfter=2)
        self.styles["box_line"] = _restyle(self.styles["cta"], "box_line", spaceAfter=2)
        m = brand.sheet.page.margins
        self.width = page_size(brand)[0] - (m.left + m.right) * mm
        self.faces = Faces(self.fonts["mono"], self.palette.link, self.palette.muted,
                           digits=str if self.strings.digits == "latin" else
                           self.strings.number, marker_separator=self.strings.marker_separator)
        self.hyphenator = hyphenator(doc.language)

    # ------------------------------------------------------------------ text helpers
    def text(self, style: str) -> Text:
        return Text(self.faces, self.styles[style])

    def block(self, text: Text, **kw) -> TextBlock:
        hyph = self.hyphenator if getattr(text.style, "hyphenate", False) else None
        return TextBlock(text.runs, text.style, hyphenator=hyph, **kw)

    def heading(self, text: str, outline: tuple[str, str, int]) -> HeadingBlock:
        """A section heading: kept with the start of what follows (see :mod:`.keep`)."""
        t = self.text("heading").add(text)
        return HeadingBlock(t.runs, t.style, outline=outline, state=self.notes)

    def noted(self, para: Para, style: str) -> TextBlock:
        text = self.text(style).spans(para.spans)
        if para.as_of:  # a dated fact: the reader sees when it was true
            text.add(as_of(para.as_of, self.strings), italic=True, muted=True, nobreak=True)
        block = self.block(text, state=self.notes)
        block.origin = (para.origin, para.key)
        return block

    def url_width(self, style: str, indent: float = 0) -> float:
        return self.width - indent - self.styles[style].leftIndent

    def note_block(self, number: int) -> TextBlock:
        note, s = self.doc.notes[number], self.strings
        t = self.text("note").add(note.publisher)
        if note.title:
            t.add(s.comma).add(note.title, italic=True)
        if note.date:
            t.add(f"{s.comma}{note.date}")
        if note.url:
            t.add(s.full_stop).br().url(note.url, self.url_width("note"))
        else:
            t.add(f" {s.no_web_address}{s.full_stop}")
        return self.block(t, bullet=s.number(number))

    # ------------------------------------------------------------------ story
    def story(self) -> list:
        d = self.doc
        out: list = [Anchor("top", d.title, 0), self.block(self.text("title").add(d.title))]
        if d.subtitle:
            out.append(self.block(self.text("subtitle").add(d.subtitle)))
        out.extend(self.noted(p, "lead") for p in d.lead)
        if d.whats_new:
            out.append(self.whats_new())
        for block in d.blocks:
            if isinstance(block, Heading):
                out.append(self.heading(block.text, (block.anchor, block.text, 0)))
            elif isinstance(block, Para):
                out.append(self.noted(block, "body"))
            elif isinstance(block, CountryListBlock):
                out.extend(self.country_list(block))
        out.extend(self.closing())
        if d.more_information:
            out.extend(self.more_information())
        for i, f in enumerate(out):
            if isinstance(f, HeadingBlock):
                f.keep_with = out[i + 1:i + 4]
        return out

    def country_list(self, block: CountryListBlock) -> list:
        out: list = []
        for entry in block.entries:
            number = self.strings.list_text(entry.number)
            part: list = [self.block(self.text("item_name").add(entry.name, bold=True),
                                     bullet=number, state=self.notes,
                                     outline=(f"{block.id}-{entry.id}",
                                              f"{number} {entry.name}", 1))]
            part.extend(self.noted(p, "item_body") for p in entry.statements)
            for link in entry.sources:
                t = self.text("item_source").add(link.label)
                if link.url:
                    t.br().url(link.url, self.url_width("item_source"))
                else:
                    t.add(f" {self.strings.no_web_address}")
                part.append(self.block(t))
            # a country's name, statements and sources stay on one page when they fit on one
            out.append(KeepWithNotes(part, self.notes))
        return out

    def panel(self, cells: list[list], space_before: float) -> Table:
        """A brand panel: the panel colour with the accent rule on its left."""
        table = Table([[c] for c in cells], colWidths=[self.width])
        table.spaceBefore = space_before
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), self.fonts["body"], 10),
            ("BACKGROUND", (0, 0), (-1, -1), self.palette.panel),
            ("LINEBEFORE", (0, 0), (0, -1), 3, self.palette.accent),
            ("LEFTPADDING", (0, 0), (-1, -1), 6 * mm),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6 * mm),
            ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
        ]))
        return table

    def whats_new(self) -> Table:
        """The "What's new in this edition" box, on page 1 after the lead, kept whole."""
        d = self.doc
        cell = [self.block(self.text("box_title").add(self.strings.whats_new, bold=True))]
        if d.whats_new_since:
            cell.append(self.block(self.text("box_since").add(d.whats_new_since)))
        cell.extend(self.block(self.text("box_line").spans(p.spans)) for p in d.whats_new)
        table = self.panel([cell], 0)
        table.spaceAfter = 3 * mm
        table.what = "the “What’s new” box"
        return table

    def closing(self) -> list:
        d, p, s = self.doc, self.doc.publisher, self.strings
        rows = []
        if "more_briefings" in d.calls_to_action:
            rows.append(self.text("cta").add(s.read_more, bold=True).br()
                        .url(p.more_briefings, self.url_width("cta", 12 * mm)))
        if "donate" in d.calls_to_action:
            rows.append(self.text("cta").add(s.donate_question, bold=True)
                        .add(f" {s.donate_request}").br()
                        .url(p.donate, self.url_width("cta", 12 * mm)))
        flow: list = [Anchor("publisher", s.about_publisher, 0)]
        if rows:
            cells = [[self.block(r)] for r in rows]
            # the seed's sign-off closes the last request, a little apart, in the brand colour
            cells[-1].append(self.block(self.text("signoff").add(s.thank_you, bold=True)))
            flow.append(self.panel(cells, 10 * mm))
            flow[-1].what = "the panel with the calls to action"
        t = self.text("publisher").add(s.published_by.format(publisher=p.name), bold=True).br()
        t.add(", ".join(p.address)).br()
        t.add(urlsplit(p.web).netloc or p.web, href=p.web).add(s.separator)
        t.add(p.email, href=f"mailto:{p.email}")
        t.add(f"{s.separator}{s.phone.format(phone=p.phone)}")
        if p.tagline:
            t.br().add(p.tagline, italic=True)
        publisher = self.block(t)
        publisher.spaceBefore = 5 * mm if rows else 10 * mm
        # the panel and the publisher block follow the content; each stays whole, and they
        # may sit on two pages rather than leave a page half empty. The outline's anchor
        # moves with what it names (left before it, it stayed at the foot of the page the
        # panel had left)
        return [KeepTogether(flow), publisher] if rows else [KeepTogether([*flow, publisher])]

    def more_information(self) -> list:
        out: list = [PageBreak()] if self.brand.sheet.appendix_page_break else []
        more = self.strings.more_information
        out.append(self.heading(more, ("more-information", more, 0)))
        for item in self.doc.more_information:
            out.append(self.block(self.text("info_label").add(item.label)))
            t = self.text("info_link")
            if item.url:
                t.url(item.url, self.url_width("info_link"))
            else:
                t.add(self.strings.no_web_address)
            out.append(self.block(t))
        return out

    # ------------------------------------------------------------------ page decoration
    def draw_logo(self, canv, x: float, y: float) -> None:
        logo = self.brand.sheet.logo
        scale = logo.size * mm / 100.0
        canv.saveState()
        canv.translate(x, y)
        canv.scale(scale, scale)
        for shape in logo.shapes:
            if shape.fill:
                canv.setFillColor(getattr(self.palette, shape.fill))
            if shape.stroke:
                canv.setStrokeColor(getattr(self.palette, shape.stroke))
                canv.setLineWidth(shape.width)
            fill, stroke = int(bool(shape.fill)), int(bool(shape.stroke))
            if shape.kind == "circle":
                canv.circle(shape.x, shape.y, shape.r, fill=fill, stroke=stroke)
            elif shape.kind == "rect":
                canv.rect(shape.x, shape.y, shape.w, shape.h, fill=fill, stroke=stroke)
            else:
                canv.line(shape.x, shape.y, shape.x2, shape.y2)
        canv.restoreState()

    def decorate_first(self, canv, doc) -> None:
        w, h = page_size(self.brand)
        band = self.brand.sheet.band_height * mm
        m = self.brand.sheet.page.margins
        bleed = self.brand.sheet.page.bleed * mm  # past the trim: cut off on screen, printed
        canv.saveState()
        canv.setFillColor(self.palette.brand)
        canv.rect(-bleed, h - band, w + 2 * bleed, band + bleed, fill=1, stroke=0)
        logo = self.brand.sheet.logo.size * mm
        self.draw_logo(canv, m.left * mm, h - band + (band - logo) / 2)
        canv.setFillColor(self.palette.band_text)
        for line in self.band:
            draw_line(canv, m.left * mm + logo + 4 * mm, h - band / 2 + line.dy, line.text,
                      line.font, line.size)
        right = w - m.right * mm
        # the label and the date; with "Facts as of ..." under them, the three are centred
        lift = 3 * mm if self.doc.facts_as_of else 0
        for text, font, size, dy in self.date_block():
            draw_line(canv, right, h - band / 2 + dy + lift, text, font, size, "right")
        canv.restoreState()

    def date_block(self) -> list[tuple[str, str, float, float]]:
        """The band's right-hand lines: label, date, "Facts as of" (text, font, size, and
        the baseline's offset from the band's middle before the lift)."""
        small = self.fonts["small"]
        out = [(self.brand.sheet.label.upper(), _bold(small), 8, 1.5 * mm),
               (self.strings.date_text(self.doc.date), small, 9, -3.5 * mm)]
        if self.doc.facts_as_of:
            out.append((facts_as_of(self.doc.facts_as_of, self.strings), small, 7.5,
                        -7.5 * mm))
        return out

    def band_layout(self) -> list[BandLine]:
        """The publisher's name and tagline in the band, between the logo and the date
        block; an error at the field to shorten when they cannot fit."""
        w, _ = page_size(self.brand)
        m = self.brand.sheet.page.margins
        left = m.left * mm + self.brand.sheet.logo.size * mm + 4 * mm
        dates = max(line_width(t, f, s) for t, f, s, _ in self.date_block())
        room = w - m.right * mm - dates - DATE_GAP - left
        pub = self.doc.publisher
        try:
            return band_lines(pub.name, pub.tagline, _bold(self.fonts["title"]),
                              self.fonts["small"], room, self.brand.sheet.band_height * mm)
        except BandTooFull as exc:
            origin = self.doc.origin_of(f"publisher.{exc.field}")
            message = (f"{exc}: shorten it, or make the band taller (band_height) in "
                       f"{self.brand.display}")
            raise RenderError(message, [Diagnostic(origin.location, origin.key, message)]) \
                from None

    def page_text(self, template: str) -> str:
        """The brand sheet's header/footer text with {short_title}, {title}, {publisher}."""
        return template.format(short_title=self.doc.short_title, title=self.doc.title,
                               publisher=self.doc.publisher.name)

    def decorate_later(self, canv, doc) -> None:
        w, h = page_size(self.brand)
        m = self.brand.sheet.page.margins
        y = h - m.top * mm + geometry.HEADER_RISE_MM * mm
        canv.saveState()
        canv.setFillColor(self.palette.muted)
        # decoration: cut to the column with "…" when too long (the full title is on page 1)
        small = self.fonts["small"]
        header = fit_line(self.page_text(self.brand.sheet.header), small, 8,
                          w - (m.left + m.right) * mm)
        draw_line(canv, m.left * mm, y, header, small, 8)
        canv.setStrokeColor(self.palette.rule)
        canv.setLineWidth(0.5)
        canv.line(m.left * mm, y - 2.5 * mm, w - m.right * mm, y - 2.5 * mm)
        canv.restoreState()

    def draw_footer(self, canv, number: int, total: int) -> None:
        w, _ = page_size(self.brand)
        m = self.brand.sheet.page.margins
        y = m.bottom * mm - geometry.FOOTER_DROP_MM * mm
        canv.saveState()
        canv.setStrokeColor(self.palette.rule)
        canv.setLineWidth(0.5)
        canv.line(m.left * mm, y + 4 * mm, w - m.right * mm, y + 4 * mm)
        canv.setFillColor(self.palette.muted)
        small = self.fonts["small"]
        page = self.strings.page_text(number, total)
        footer, draft = footer_texts(
            self.page_text(self.brand.sheet.footer), page,
            self.strings.draft_translation if self.doc.draft else None, small, _bold(small),
            7.5, w - (m.left + m.right) * mm)
        draw_line(canv, m.left * mm, y, footer, small, 7.5)
        draw_line(canv, w - m.right * mm, y, page, small, 7.5, "right")
        if draft:  # an edition with unreviewed translations says so on every page
            left = m.left * mm + line_width(footer, small, 7.5)
            right = w - m.right * mm - line_width(page, small, 7.5)
            canv.setFillColor(self.palette.brand)
            draw_line(canv, (left + right) / 2, y, draft, _bold(small), 7.5, "centre")
        canv.restoreState()

    # ------------------------------------------------------------------ build
    def render(self) -> bytes:
        d = self.doc
        check_glyphs(d, self.brand)
        self.band = self.band_layout()
        self.notes = FootnoteState({}, self.width, self.palette.rule)
        self.notes.notes = {n: self.note_block(n) for n in d.notes}
        buf = io.BytesIO()
        template = BriefingDocTemplate(
            buf, brand=self.brand, palette=self.palette, fonts=self.fonts, notes=self.notes,
            decorate_first=self.decorate_first, decorate_later=self.decorate_later,
            title=d.title, author=d.publisher.name, subject=d.subtitle or d.short_title,
            keywords=", ".join(d.keywords), creator=f"briefgen {__version__}",
            lang=d.language, displayDocTitle=True, initialFontName=self.fonts["body"],
            pageCompression=1,
            **(PrintGeometry(self.brand).doc_kwargs() if self.palette.cmyk else {}))
        try:
            template.build(self.story(), canvasmaker=canvas_class(d.date, self.draw_footer))
        except LayoutError as exc:
            raise self.no_room(template, exc) from None
        except DamagedFont as exc:
            raise self.brand.font_error(exc.path, exc.problem) from None
        return buf.getvalue()

    def no_room(self, template: BriefingDocTemplate, exc: LayoutError) -> RenderError:
        """What did not fit, at the text it sets when known, else at the briefing."""
        sheet = self.brand.display
        if isinstance(exc, TooManyPages):
            message = (f"this briefing runs past {template.page_limit} pages, and laying it out "
                       f"stopped there: shorten it, or use smaller text sizes or margins in "
                       f"{sheet}")
            return RenderError(message, [Diagnostic(self.doc.origin, "", message)])
        f = template.current
        frame = getattr(template, "frame", None)
        room = f"the {frame._height / mm:.0f} mm" if frame is not None else "the room"
        where = f"{room} a page has for text (page {template.page})"
        layout = getattr(f, "_layout", None) if isinstance(f, TextBlock) else None
        notes = len({n for line in layout[1] for n in line.notes}) if layout else 0
        if notes:
            message = (f"this text and the {notes} footnote{'s' * (notes > 1)} it cites must "
                       f"be on one page, and need more than {where}: cite fewer sources in "
                       f"one place, or shorten their titles, or use smaller text sizes or "
                       f"margins in {sheet}")
        else:
            what = "this text" if isinstance(f, TextBlock) else \
                getattr(f, "what", "a part of this briefing")
            message = (f"{what} needs more than {where}, and cannot be split across pages: "
                       f"shorten it, or use smaller text sizes or margins in {sheet}")
        location, key = getattr(f, "origin", None) or (self.doc.origin, "")
        return RenderError(message, [Diagnostic(location, key, message)])


def _restyle(style, name: str, **changes):
    """A copy of a paragraph style under a new name (with the attributes of ours that
    ReportLab does not know: breaking, hyphenation, justification)."""
    out = copy.copy(style)
    out.name = name
    for key, value in changes.items():
        setattr(out, key, value)
    return out


def render_pdf(doc: Document, brand: Brand, *, cmyk: bool = False) -> bytes:
    # check has refused such a sheet; a page without room for text is never laid out
    found = geometry.problems(brand.sheet)
    if found:
        from ...load.yamlfile import format_key_path

        raise RenderError("the brand sheet leaves no room for text", [
            Diagnostic(brand.where(p.path), format_key_path(p.path), p.message)
            for p in found])
    return _Renderer(doc, brand, cmyk).render()
