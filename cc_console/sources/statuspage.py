"""Atlassian Statuspage v2 ``summary.json``: components become agencies, incidents incidents.

Group components are containers, not services, and are skipped.  Statuses
outside the documented ones map to ``unknown``; they never fail the feed.
"""

from __future__ import annotations

import json
from typing import Any

from cc_console.models import Agency, Incident
from cc_console.sources.base import (
    ParseContext,
    Parsed,
    ParseError,
    as_time,
    clean_line,
    clean_text,
)

FORMAT = "statuspage"
KINDS = ("agencies", "incidents")

_COMPONENT = {
    "operational": "operational",
    "degraded_performance": "degraded",
    "partial_outage": "partial_outage",
    "major_outage": "major_outage",
    "under_maintenance": "maintenance",
}
_IMPACT = {
    "critical": "extreme",
    "major": "severe",
    "minor": "moderate",
    "none": "minor",
    "maintenance": "minor",
}
_CLOSED = {"resolved": "resolved", "postmortem": "resolved", "completed": "resolved"}


def parse(body: bytes, ctx: ParseContext) -> Parsed:
    """Parse a Statuspage summary for agencies (components) or incidents."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not JSON ({str(exc)[:80]})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("page"), dict):
        raise ParseError('expected a Statuspage summary with a "page" object')
    out = Parsed()
    key = "components" if ctx.kind == "agencies" else "incidents"
    items = doc.get(key, [])
    if not isinstance(items, list):
        raise ParseError(f'"{key}" must be a list')
    groups = {
        c.get("id"): clean_line(c.get("name"))
        for c in items
        if ctx.kind == "agencies" and isinstance(c, dict) and c.get("group") is True
    }
    for index, item in enumerate(items):
        try:
            if ctx.kind == "agencies":
                agency = _component(item, ctx, groups)
                if agency is not None:
                    out.agencies.append(agency)
            else:
                out.incidents.append(_incident(item, ctx))
        except (ValueError, TypeError, KeyError) as exc:
            out.warnings.append(f"{key[:-1]} {index} skipped: {exc}")
    return out


def _component(c: object, ctx: ParseContext, groups: dict[Any, str]) -> Agency | None:
    if not isinstance(c, dict):
        raise TypeError("not an object")
    if c.get("group") is True:
        return None
    ident = clean_line(c.get("id"), 80)
    name = clean_line(c.get("name"))
    if not ident or not name:
        raise ValueError("component without id or name")
    group = groups.get(c.get("group_id"))
    return Agency(
        id=ident,
        name=f"{group} › {name}" if group else name,
        status=_COMPONENT.get(str(c.get("status")), "unknown"),
        summary=clean_text(c.get("description"), 2000) or None,
        updated_at=as_time(c.get("updated_at"), ctx.tz),
        source=ctx.source,
        kind="service",  # a status page's component is an IT service, not a perangkat daerah
    )


def _incident(i: object, ctx: ParseContext) -> Incident:
    if not isinstance(i, dict):
        raise TypeError("not an object")
    ident = clean_line(i.get("id"), 80)
    title = clean_line(i.get("name"))
    if not ident or not title:
        raise ValueError("incident without id or name")
    updates = [u for u in i.get("incident_updates") or [] if isinstance(u, dict)]
    latest = max(updates, key=lambda u: str(u.get("created_at") or ""), default={})
    components = [
        clean_line(c.get("name"), 80) for c in i.get("components") or [] if isinstance(c, dict)
    ]
    url = i.get("shortlink")
    return Incident(
        source=ctx.source,
        external_id=ident,
        title=title,
        description=clean_text(latest.get("body")),
        category="infrastructure",
        severity=_IMPACT.get(str(i.get("impact")), "unknown"),
        status=_CLOSED.get(str(i.get("status")), "open"),
        area=", ".join(c for c in components if c),
        reported_at=as_time(i.get("created_at"), ctx.tz) or as_time(i.get("started_at"), ctx.tz),
        updated_at=as_time(i.get("updated_at"), ctx.tz),
        url=url if isinstance(url, str) and url.startswith(("http://", "https://")) else None,
        extra={"statuspage_status": clean_line(i.get("status"), 40)},
    )
