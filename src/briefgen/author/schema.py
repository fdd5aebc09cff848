"""``briefgen schema``: JSON Schemas for editors, generated from the same pydantic models
that validation uses, so the two can never disagree (a test regenerates and compares)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from ..errors import OutputError
from ..files import why, write_atomic
from ..mail.settings import MailSettings
from ..validate.brand import BrandSheet
from ..validate.models import Briefing, Entity, Publisher, Source
from ..validate.types import ID_PATTERN

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _brand_schema() -> dict[str, Any]:
    full = BrandSheet.model_json_schema()
    defs = full.pop("$defs", {})
    full["properties"]["extends"] = {"type": "string", "description": "Another brand sheet "
                                     "this one is based on; only the keys given here change."}
    partial = {"type": "object", "required": ["extends"], "additionalProperties": False,
               "properties": {k: {} for k in full["properties"]},
               "description": "A sheet derived with extends: top-level keys are checked."}
    return {"$defs": {**defs, "BrandSheet": full},
            "anyOf": [{"$ref": "#/$defs/BrandSheet"}, partial],
            "title": "Brand sheet"}


def _sources_schema() -> dict[str, Any]:
    one = Source.model_json_schema()
    defs = one.pop("$defs", {})
    return {"$defs": {**defs, "Source": one}, "type": "object", "title": "Source registry",
            "description": "Source id -> source.",
            "propertyNames": {"pattern": ID_PATTERN},
            "additionalProperties": {"$ref": "#/$defs/Source"}}


def schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema."""
    found = {
        "briefing": Briefing.model_json_schema(),
        "country": Entity.model_json_schema(),
        "sources": _sources_schema(),
        "publisher": Publisher.model_json_schema(),
        "brand": _brand_schema(),
        "mail-settings": MailSettings.model_json_schema(),
    }
    out = {}
    for name, schema in found.items():
        schema = copy.deepcopy(schema)
        schema = {"$schema": DIALECT, "$id": f"{name}.schema.json", **schema}
        out[f"{name}.schema.json"] = schema
    return out


def write_schemas(folder: Path) -> list[Path]:
    written = []
    for name, schema in schemas().items():
        path = folder / name
        text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        try:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                write_atomic(path, text.encode("utf-8"))
        except OSError as exc:  # a file where the folder goes, a read-only folder...
            raise OutputError(why(exc, path)) from None
        written.append(path)
    return written


#: which shipped files each schema describes, relative to the project root
TARGETS = {
    "briefing.schema.json": ["briefings/*.yaml"],
    "country.schema.json": ["briefings/facts/countries/*.yaml", "briefings/facts/bodies/*.yaml"],
    "sources.schema.json": ["briefings/facts/sources/*.yaml"],
    "publisher.schema.json": ["briefings/facts/publisher.yaml"],
    "brand.schema.json": ["styles/*.yaml"],
    "mail-settings.schema.json": ["mail/settings.yaml"],
}
