"""Typed schemas of the fact base and the briefing specs (one source of truth: validation
and the JSON Schemas for editors are both generated from these classes)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .types import Date, Id, Line, PartialDate, Text, WebUrl

LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Z]{2})?$"
Status = Literal["current", "ended", "under-review", "announced", "declined", "unknown"]
SourceKind = Literal["news", "official", "un", "ngo", "court", "academic", "other"]
EntityKind = Literal["country", "un-body", "court", "regional-body"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- fact base
class Fact(Strict):
    """One statement the organisation makes about a country or body, with its evidence."""

    id: Id
    statement: Annotated[Text, Field(max_length=5_000)] = Field(
        description="One or two sentences in the organisation's voice.")
    topics: list[Id] = Field(default_factory=list,
                             description="e.g. military-training, arms-supply, admm-plus")
    as_of: PartialDate = Field(description="When the statement was true: YYYY, YYYY-MM or "
                                           "YYYY-MM-DD.")
    status: Status = "current"
    sources: Annotated[list[Id], Field(min_length=1)]
    verified: Date | None = Field(None, description="When the team last checked this fact.")


class Entity(Strict):
    """A country (``facts/countries/<id>.yaml``) or a UN body or court (``facts/bodies``)."""

    id: Id
    name: Line
    kind: EntityKind = "country"
    facts: list[Fact] = Field(default_factory=list)


class Source(Strict):
    """One entry of the source registry (``facts/sources/*.yaml``: id -> source)."""

    title: Line | None = None
    publisher: Line
    url: WebUrl | None = Field(None, description="Its web address; `none` for a source known "
                                                 "only in print (it then stops warning).")
    print_only: bool = Field(False, description="Set by `url: none`: the source has no web "
                                                "address, and that is known.")
    published: PartialDate | None = None
    accessed: Date | None = Field(None, description="When the team last opened the source.")
    archive_url: WebUrl | None = None
    kind: SourceKind = "news"

    @model_validator(mode="before")
    @classmethod
    def _url_none(cls, value: Any) -> Any:
        if isinstance(value, dict) and isinstance(value.get("url"), str) and \
                value["url"].strip().lower() == "none":
            value = {**value, "url": None, "print_only": True}
        return value


class Site(Strict):
    """Where the web edition (``dist/site/``) is published."""

    base_url: WebUrl = Field(description="The public address of dist/site/, e.g. "
                             "https://briefings.example.org/ (a folder: no ?query or #part). "
                             "The feed, the sitemap, Open Graph and JSON-LD need it for "
                             "absolute links; without it they use relative links or leave "
                             "those parts out.")

    @field_validator("base_url")
    @classmethod
    def _folder(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.query or parts.fragment:
            raise ValueError(f"'{value}' is the address of a folder: leave out the "
                             "?query and #fragment")
        return value if value.endswith("/") else value + "/"


class Publisher(Strict):
    """The organisation that publishes the briefings (``facts/publisher.yaml``)."""

    name: Line
    tagline: Line | None = None
    address: Annotated[list[Line], Field(min_length=1)]
    web: WebUrl
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    phone: Line
    more_briefings: WebUrl
    donate: WebUrl
    site: Site | None = Field(None, description="The web edition's public address (optional).")


# --------------------------------------------------------------------------- briefing specs
def _string_or_mapping(schema: dict[str, Any]) -> None:
    """JSON Schema for a paragraph: plain text is accepted as well as the mapping."""
    mapping = dict(schema)
    schema.clear()
    schema["anyOf"] = [{"type": "string", "minLength": 1}, mapping]
    schema["description"] = mapping.pop("description", "")


class Paragraph(Strict):
    """A paragraph of inline Markdown, or ``fact: country.fact-id`` to print a fact's
    statement with footnotes to its sources."""

    model_config = ConfigDict(extra="forbid", frozen=True,
                              json_schema_extra=_string_or_mapping)

    text: Text | None = None
    fact: Annotated[str, Field(pattern=r"^[a-z0-9-]+\.[a-z0-9-]+$")] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_kind(self) -> Paragraph:
        if (self.text is None) == (self.fact is None):
            raise ValueError("give either text or 'fact: country.fact-id'")
        return self


class CountryList(Strict):
    """A numbered list of countries, chosen by id or by the topics of their facts."""

    id: Id = "countries"
    countries: Annotated[list[Id], Field(min_length=1)] | None = Field(
        None, description="Explicit country ids, in order.")
    topics: Annotated[list[Id], Field(min_length=1)] | None = Field(
        None, description="Select countries with a fact on any of these topics.")
    status: Annotated[list[Status], Field(min_length=1)] | None = Field(
        None, description="Only facts with these statuses.")
    exclude: list[Id] = Field(default_factory=list, description="Countries never to list "
                              "here, even when one of their facts has a selected topic.")
    order: Literal["explicit", "alphabetical", "date"] = "explicit"
    show: list[Literal["facts", "notes", "sources"]] = Field(
        default_factory=lambda: ["facts", "sources"],
        description="facts: statements; notes: footnote markers after them; sources: links.")
    fact_topics: Annotated[list[Id], Field(min_length=1)] | None = Field(
        None, description="Which facts to show (default: the selection topics, else all).")

    @model_validator(mode="after")
    def _one_selection(self) -> CountryList:
        if (self.countries is None) == (self.topics is None):
            raise ValueError("give either 'countries' (a list of ids) or 'topics'")
        return self


class Section(Strict):
    heading: Line
    paragraphs: list[Paragraph] = Field(default_factory=list)
    country_list: CountryList | None = None


class MoreInfo(Strict):
    label: Line
    source: Id


class MailFields(Strict):
    subject: Line | None = None
    audiences: list[Id] = Field(default_factory=list)


class Briefing(Strict):
    """A briefing spec (``briefings/<id>.yaml``; the id is the file name)."""

    title: Line = Field(description="May use Jinja2, e.g. '{{ countries | length }} countries'.")
    short_title: Line | None = Field(None, description="Running header on later pages.")
    subtitle: Line | None = None
    date: Date
    language: Annotated[str, Field(pattern=LANGUAGE_PATTERN)] = Field(
        "en-GB", description="The language of the text (written to the PDF as /Lang).")
    languages: list[Annotated[str, Field(pattern=LANGUAGE_PATTERN)]] = Field(
        default_factory=list, description="Every language the briefing is published in, "
        "its own first: [en-GB, my] also builds dist/<id>.my.pdf from the translations in "
        "briefings/translations/my/.")
    brand: Id = "default"
    lead: Text | None = Field(None, description="The standfirst under the title.")
    keywords: Annotated[list[Line], Field(max_length=30)] = Field(
        default_factory=list, description="Search words for the PDF's metadata and the web "
        "page (at most 30; default: the topics of the facts it prints).")
    sections: Annotated[list[Section], Field(min_length=1)]
    more_information: list[MoreInfo] = Field(default_factory=list)
    calls_to_action: list[Literal["more_briefings", "donate"]] = Field(
        default_factory=lambda: ["more_briefings", "donate"])
    mail: MailFields = Field(default_factory=MailFields)
    whats_new: bool | Annotated[Text, Field(max_length=2_000)] | None = Field(
        None, description="The \"What's new in this edition\" box on page 1, after the lead. "
        "Left out or true: worked out from what changed since the last published edition "
        "(printed only when there is one); false: no box; text: printed as written (inline "
        "Markdown, no footnotes; a blank line starts a new paragraph).")

    @model_validator(mode="before")
    @classmethod
    def _default_language(cls, value: Any) -> Any:
        """``languages: [en-GB, my]`` alone sets ``language`` to its first entry."""
        if isinstance(value, dict) and "language" not in value and \
                isinstance(value.get("languages"), list) and value["languages"] and \
                isinstance(value["languages"][0], str):
            value = {**value, "language": value["languages"][0]}
        return value

    @property
    def editions(self) -> list[str]:
        """The languages translated editions are built in (all but the briefing's own)."""
        return [lang for lang in dict.fromkeys(self.languages) if lang != self.language]


