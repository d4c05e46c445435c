"""The Jinja environment of the Vietnamese pages published beside the report: unit scorecards and the portal."""

from __future__ import annotations

import jinja2

from dti.publish import formatting
from dti.publish.messages import VIETNAMESE


def page_environment() -> jinja2.Environment:
    """Templates from ``dti/publish/templates`` with the report's Vietnamese number formats and
    labels, so a figure reads the same on every page."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("dti.publish", "templates"),
        # Extension-based autoescape would miss '.html.j2': unit names and reasons come from outside.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        dti_value=formatting.format_dti_value,
        signed_dti_value=formatting.format_signed_dti_value,
        number=formatting.format_number,
        percent=formatting.format_percent,
        vietnam_time=formatting.format_vietnam_time,
    )
    # label("unit_type", "commune") -> 'Xã', as the report writes it
    environment.globals.update(label=VIETNAMESE.label)
    return environment
