"""The fixed texts a briefing prints, per language: ``styles/strings/<language>.yaml``.

Everything the PDF prints that is not content ("Page 3 of 4", "Published by", "More
information", the call to action, "Thank you", "as of", month names, the digits) comes from
the strings of the briefing's language. A spec in ``en-GB`` takes ``en-GB.yaml`` if there is
one, else ``en.yaml``, else the English built into :class:`Strings` (so a project without
a strings folder prints what it always printed). A translated edition needs a strings file
of its own language: English words in a Burmese PDF would be a defect, so a missing file is
an error for that edition.

Each text may name only its own placeholders (``{number}`` and ``{total}`` in ``page``...),
checked when the file is read, so that formatting can never fail while rendering.
"""

from __future__ import annotations

import string
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationInfo, field_validator

from ..errors import Diagnostic, Location
from ..load.yamlfile import YamlFile
from .schema import validate_model
from .wording import DIGITS, PLACES, Wording  # noqa: F401 - DIGITS re-exported

Phrase = Annotated[str, Field(max_length=200)]


class Strings(Wording, BaseModel):
    """The fixed texts of one language (English by default)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    #: text name -> where its file sets it (see :meth:`where`); not a field
    _where: dict[str, Location] = PrivateAttr(default_factory=dict)

    digits: Literal["latin", "myanmar"] = Field(
        "latin", description="Digits for page numbers, dates, list and note numbers (a brand "
        "sheet's languages.<lang>.digits overrides it).")
    months: Annotated[list[Phrase], Field(min_length=12, max_length=12)] = Field(
        default_factory=lambda: ["January", "February", "March", "April", "May", "June",
                                 "July", "August", "September", "October", "November",
                                 "December"], description="January to December.")
    date: Phrase = Field("{day} {month} {year}", description="A full date.")
    month_year: Phrase = Field("{month} {year}", description="A date known to the month.")
    year: Phrase = Field("{year}", description="A date known to the year.")
    page: Phrase = "Page {number} of {total}"
    published_by: Phrase = "Published by {publisher}"
    read_more: Phrase = "Read more of our briefings"
    donate_question: Phrase = "Found this briefing useful?"
    donate_request: Phrase = "Please support our work with a donation:"
    thank_you: Phrase = "Thank you"
    more_information: Phrase = "More information"
    about_publisher: Phrase = Field("About the publisher", description="Its outline entry.")
    no_web_address: Phrase = "(no web address)"
    phone: Phrase = "tel: {phone}"
    as_of: Phrase = Field("as of {date}", description="After a dated statement, following "
                          "a dash: '— as of 2021'.")
    facts_as_of: Phrase = Field("Facts as of {date}", description="Under the date on page "
                                "1: the newest date of the facts the briefing prints.")
    whats_new: Phrase = Field("What’s new in this edition", description="The title of the "
                              "box that says what changed since the last edition.")
    draft_translation: Phrase = Field("Draft translation", description="In the footer of "
                                      "an edition with unreviewed translations.")
    # ------------------------------------------------------------ the web edition only
    web_skip: Phrase = Field("Skip to content", description="Web page: the first link, for "
                             "keyboard and screen-reader users.")
    web_navigation: Phrase = Field("Briefings", description="Web page: the name of the "
                                   "navigation bar, read by screen readers.")
    web_all_briefings: Phrase = "All briefings"
    web_feed: Phrase = "Atom feed"
    web_feed_title: Phrase = Field("Briefings from {publisher} (Atom feed)",
                                   description="Web page: the feed's title for browsers.")
    web_published: Phrase = Field("Published", description="Web page: before the date.")
    web_facts_as_of: Phrase = Field("Facts as of", description="Web page: before the "
                                    "dates of the facts.")
    web_date_range: Phrase = Field("{oldest} to {newest}", description="Web page: the "
                                   "oldest and newest dates of the facts.")
    web_pdf_screen: Phrase = "PDF for screen"
    web_pdf_print: Phrase = "PDF for print (CMYK, with bleed and crop marks)"
    web_support: Phrase = Field("Support our work", description="Web page: the heading "
                                "of the calls to action, read by screen readers.")
    web_editions: Phrase = Field("Editions", description="Web page: the list of published "
                                 "editions.")
    web_edition_of: Phrase = Field("Edition of {date}", description="Web page: one "
                                   "published edition.")
    web_notes: Phrase = Field("Notes", description="Web page: the heading of the notes.")
    web_note: Phrase = Field("Note {number}", description="Web page: a note marker, read "
                             "by screen readers.")
    web_back: Phrase = Field("Back to where note {number} is cited", description="Web "
                             "page: the link from a note back to its marker.")
    web_back_to: Phrase = Field("Back to citation {citation} of note {number}",
                                description="Web page: the same, for a note cited in "
                                "several places.")
    web_address: Phrase = Field("Web", description="Web page footer: before the web "
                                "address.")
    web_email: Phrase = Field("Email", description="Web page footer: before the email "
                              "address.")
    web_phone: Phrase = Field("Tel", description="Web page footer: before the phone "
                              "number.")
    comma: Phrase = Field(", ", description="Between the parts of a note.")
    full_stop: Phrase = Field(".", description="At the end of a note.")
    separator: Phrase = Field(" · ", description="Between the publisher's web address, "
                              "email and phone.")
    list_number: Phrase = Field("{number}.", description="The number of a country in a "
                                "list.")
    marker_separator: Phrase = Field(",", description="Between footnote markers at one "
                                     "place.")

    #: the placeholders each text must use (and may not go beyond)
    PLACES: ClassVar[dict[str, tuple[str, ...]]] = PLACES

    @field_validator("*")
    @classmethod
    def _placeholders(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str) or info.field_name == "digits":
            return value
        allowed = cls.PLACES.get(info.field_name, ())
        try:
            parts = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(value)
                     if f is not None]
        except ValueError as exc:
            raise ValueError(f"'{value}': {exc}; write a literal brace as {{{{ or }}}}") from None
        for name, spec, conv in parts:
            if spec or conv:  # {number:d}, {number!x}: formatting could fail while rendering
                shown = "{" + name + (f"!{conv}" if conv else "") + \
                    (f":{spec}" if spec else "") + "}"
                raise ValueError(f"'{shown}': write the placeholder alone, as "
                                 f"'{{{name}}}' (briefgen formats the value itself)")
            if name not in allowed:
                can = (f"use {', '.join('{' + a + '}' for a in allowed)}" if allowed
                       else "it takes no placeholders")
                raise ValueError(f"'{{{name}}}' is not allowed here; {can}")
        return value

    def text_names(self) -> tuple[str, ...]:
        return tuple(type(self).model_fields)

    def where(self, name: str) -> Location | None:
        return self._where.get(name)

    def __eq__(self, other: object) -> bool:
        """The same texts are the same strings, wherever they were read from."""
        if not isinstance(other, Strings):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(tuple(v) if isinstance(v, list) else v
                          for v in self.__dict__.values()))


ENGLISH = Strings()


def validate_strings(files: dict[str, YamlFile]) -> tuple[dict[str, Strings],
                                                          list[Diagnostic]]:
    """Every strings file (``styles/strings/<language>.yaml``), validated. (Whether its
    Burmese is Zawgyi is asked when a briefing in its language is evaluated: see
    :mod:`.zawgyi`; an English project does not pay for the detector.)"""
    out: dict[str, Strings] = {}
    errors: list[Diagnostic] = []
    for name, file in sorted(files.items()):
        if file.failed:
            continue
        data: Any = file.data
        model, diags = validate_model(Strings, file, data if data is not None else {})
        missing = _missing(name, data)
        if missing:
            diags.append(file.diag((), missing))
        errors += diags
        if model is not None and not missing:
            model._where = {key: file.location((key,)) for key in model.text_names()
                            if (key,) in file.values}
            out[name] = model
    return out, errors


def _missing(name: str, data: Any) -> str | None:
    """A strings file of a language other than English must give every text itself: the
    English built in would otherwise be printed in, say, a Burmese edition ("Page ၁ of
    ၄"), without a word of warning. (``digits`` may be left out: Latin digits.)"""
    if strings_names(name)[-1] == "en":
        return None
    given = set(data) if isinstance(data, dict) else set()
    missing = [k for k in Strings.model_fields if k != "digits" and k not in given]
    if not missing:
        return None
    shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6
                                     else "")
    return (f"{len(missing)} text{'s' if len(missing) > 1 else ''} missing ({shown}): an "
            "edition in this language would print them in English; copy them from "
            "styles/strings/en.yaml and translate them")


def strings_names(language: str) -> tuple[str, ...]:
    """The strings files that may serve ``language``, in order: ``en-GB``, ``en``."""
    primary = language.split("-")[0]
    return (language, primary) if primary != language else (language,)


def strings_for(table: dict[str, Strings], language: str) -> tuple[str | None,
                                                                   Strings | None]:
    """(file name, strings) for ``language``; (None, None) when no file serves it."""
    for name in strings_names(language):
        if name in table:
            return name, table[name]
    return None, None
