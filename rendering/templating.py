"""The Jinja2 environment for `templates/<channel>/`: autoescaping on, strict about undefined names.

`*.html.j2` templates (Lazada and TikTok descriptions) escape every value. `*.txt.j2` templates
produce plain text for fields the platforms show as text (titles, Shopee's description, attribute
values), where an escaped "&amp;" would show literally; their inputs come from `rendering.facts`,
which has already removed all markup. Any other template name autoescapes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

import templates

TEMPLATES_DIR = Path(templates.__file__).parent


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(
            enabled_extensions=("html.j2", "html"), disabled_extensions=("txt.j2",), default_for_string=True, default=True
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_template(template: str, /, **context) -> str:
    return environment().get_template(template).render(**context)


class AttributeTemplateError(ValueError):
    """An attribute template produced a line that is not `key: value`, or a key twice."""


def parse_attributes(rendered: str, *, template: str) -> dict[str, str]:
    """Attribute templates render one `key: value` per line; lines with no value are left out."""
    attributes: dict[str, str] = {}
    for number, line in enumerate(rendered.splitlines(), start=1):
        if not line.strip():
            continue
        key, separator, value = line.partition(":")
        key = key.strip()
        if not separator or not key:
            raise AttributeTemplateError(f"{template} line {number}: {line!r}; expected 'key: value'")
        if key in attributes:
            raise AttributeTemplateError(f"{template} line {number}: key {key!r} appears twice")
        if value.strip():
            attributes[key] = value.strip()
    return attributes
