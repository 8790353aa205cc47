"""Reading another command center's disaster events (``/events.json``, kind ``events``).

Each event is read as ``event show --json`` prints it; what the province keeps
of it is cleaned here (text as one line, figures whole numbers), so that a
site's feed can neither paint the province's screen nor add a figure that is
not one. An event's totals are summed here from its areas, with the same sum
the site made of them (:func:`cc_console.store.crisis.sum_figures`); a
document whose own totals disagree is read by its areas, and says so.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from cc_console.models import SiteEvent
from cc_console.sources.base import as_time, clean_line, clean_text
from cc_console.store.crisis import FIGURE_LIMIT, FIGURES, STATUSES, sum_figures
from cc_console.timefmt import iso_z

__all__ = ["site_event"]

MAX_AREAS = 1000  # more kecamatan than any regency has
MAX_LIST = 500  # needs, incidents or responses kept of one event


def _figure(value: object, name: str, where: str) -> int:
    """One figure as served: a whole number within reason, else the item is refused."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}: {name} is not a whole number ({str(value)[:20]!r})")
    if not 0 <= value <= FIGURE_LIMIT:
        raise ValueError(f"{where}: {name} = {value} is not a plausible figure")
    return value


def _time(value: object, tz: tzinfo) -> str | None:
    return iso_z(as_time(value, tz))


def _area(row: object, index: int, tz: tzinfo) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise ValueError(f"area {index} is not an object")
    name = clean_line(row.get("area"), 120)
    if not name:
        raise ValueError(f"area {index} has no name")
    code = clean_line(row.get("code"), 40) or None
    out: dict[str, Any] = {"area": name, "code": code}
    for k in FIGURES:
        out[k] = _figure(row.get(k), k, f"area {name!r}")
    out["reported_at"] = _time(row.get("reported_at"), tz)
    out["source"] = clean_line(row.get("source"), 200)
    return out


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value[:MAX_LIST] if isinstance(v, dict)] if isinstance(value, list) else []


def site_event(item: object, tz: tzinfo, warnings: list[str], index: int) -> SiteEvent:
    """One served event as the province keeps it.

    Raises:
        ValueError, TypeError: the item is not an event (skipped, with a warning).
    """
    if not isinstance(item, dict):
        raise TypeError("not an object")
    ident = clean_line(item.get("id"), 40)
    title = clean_line(item.get("title"), 200)
    if not ident or not title:
        raise ValueError("an event needs an id and a title")
    status = item.get("status")
    status = status if status in STATUSES else None
    got = item.get("impact")
    impact: dict[str, Any] = got if isinstance(got, dict) else {}
    listed = impact.get("by_area")
    rows: list[Any] = listed if isinstance(listed, list) else []
    if len(rows) > MAX_AREAS:
        raise ValueError(f"{len(rows)} areas; at most {MAX_AREAS}")
    by_area = [_area(r, n, tz) for n, r in enumerate(rows)]
    totals = sum_figures(by_area)
    given = impact.get("totals")
    if isinstance(given, dict) and any(given.get(k, 0) != totals[k] for k in FIGURES):
        warnings.append(
            f"item {index} ({ident}): its totals differ from the sum of its areas; "
            "the areas' sum is used"
        )
    last = item.get("last_sitrep")
    doc: dict[str, Any] = {
        "id": ident,
        "title": title,
        "category": clean_line(item.get("category"), 40).lower() or "other",
        "status": status,
        "decree": clean_line(item.get("decree"), 200) or None,
        "status_from": _time(item.get("status_from"), tz),
        "status_until": _time(item.get("status_until"), tz),
        "opened_at": _time(item.get("opened_at"), tz),
        "closed_at": _time(item.get("closed_at"), tz),
        "areas": [
            {"area": clean_line(a.get("area"), 120), "code": clean_line(a.get("code"), 40) or None}
            for a in _dicts(item.get("areas"))
        ],
        "incidents": [
            clean_line(i, 200)
            for i in (item.get("incidents") or [])[:MAX_LIST]
            if isinstance(i, str)
        ],
        "impact": {"totals": totals, "by_area": by_area},
        "needs": [
            {
                "text": clean_text(n.get("text"), 1000),
                "agency": clean_line(n.get("agency"), 60) or None,
            }
            for n in _dicts(item.get("needs"))
        ],
        "responses": [
            {
                "kind": clean_line(r.get("kind"), 20),
                "agency": clean_line(r.get("agency"), 60) or None,
                "incident": clean_line(r.get("incident"), 200) or None,
                "id": clean_line(r.get("id"), 60),
                "text": clean_line(r.get("text"), 200),
            }
            for r in _dicts(item.get("responses"))
        ],
        "last_sitrep": last if isinstance(last, int) and not isinstance(last, bool) else None,
    }
    return SiteEvent(
        id=ident,
        title=title,
        category=doc["category"],
        status=status,
        status_until=as_time(doc["status_until"]),
        opened_at=as_time(doc["opened_at"]),
        closed_at=as_time(doc["closed_at"]),
        totals=totals,
        doc=doc,
    )
