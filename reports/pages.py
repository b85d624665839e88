"""The Jinja2 environment for report pages: templates in `templates/reports/`, autoescaping always on."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

import templates

TEMPLATES_DIR = Path(templates.__file__).parent / "reports"


@lru_cache(maxsize=1)
def environment() -> Environment:
    # Every value from the catalogue or a platform is untrusted text: autoescape it everywhere.
    return Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


def render_page(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)
