"""What ``serve`` publishes, rendered from one cache (CONTRACT.md section 11).

Each document is a pure function of the cache (and of the day, for the "last
``days`` days" windows), so the server renders it once per change and answers
every other request, and every conditional one, from the bytes it keeps.

- ``/incidents.json``, ``/agencies.json``: the native feeds (section 6) with
  ``"site": {"code", "name"}``; ``/actions.json``: action items; ``/events.json``:
  disaster events.
- ``/status.json``: agencies as components of a Statuspage v2 ``summary.json``;
  the public incidents as its incidents.
- ``/cap/index.atom`` and ``/cap/<identifier>.xml``: one CAP 1.2 alert per
  active incident (and per incident resolved or cancelled in the window).
- ``/``: the public status page (HTML from ``data/templates/public.html.j2``).

Private things (operators, notes, the journal, exercises, incidents outside
``[serve] public_categories``) reach only the token-protected documents; the
public ones are built from an allow-list of fields.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr as _quoteattr

from cc_console.config import Config
from cc_console.crisis import gazetteer, resolve_area
from cc_console.export import agency_json, incident_json, item_json
from cc_console.i18n import Translator
from cc_console.models import Incident
from cc_console.resources import template
from cc_console.store import Store
from cc_console.text import clean_line
from cc_console.timefmt import in_zone, iso_z, utcnow

__all__ = ["PUBLIC_PATHS", "Document", "Documents", "cap_identifier"]

PUBLIC_PATHS = frozenset({"/", "/status.json", "/healthz", "/cap/public.atom"})

# Our agency statuses in Statuspage's words (``unknown`` has none: kept as is).
_COMPONENT = {
    "operational": "operational",
    "degraded": "degraded_performance",
    "partial_outage": "partial_outage",
    "major_outage": "major_outage",
    "maintenance": "under_maintenance",
}
_IMPACT = {"extreme": "critical", "severe": "major", "moderate": "minor", "minor": "none"}
_CAP_CATEGORY = {
    "earthquake": "Geo", "landslide": "Geo", "flood": "Met", "weather": "Met", "fire": "Fire",
    "health": "Health", "infrastructure": "Infra", "traffic": "Transport",
    "security": "Security", "complaint": "Other", "other": "Other",
}  # fmt: skip
_CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
_CAP_SEVERITY = {"extreme": "Extreme", "severe": "Severe", "moderate": "Moderate", "minor": "Minor"}
_URGENCY = ("Immediate", "Expected", "Future", "Past", "Unknown")
_CERTAINTY = ("Observed", "Likely", "Possible", "Unlikely", "Unknown")
_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]")
# Characters XML 1.0 forbids even escaped (C0 controls but tab and newlines, lone
# surrogates, U+FFFE/U+FFFF): one of them makes the whole document malformed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
REFERENCED_DAYS = 7  # a message another references stays fetchable this long after
_POLYGON_MAX = 500  # points; a ring longer than this is a feed's mistake, not an area


def escape(text: object) -> str:
    """Feed text as XML character data: markup escaped, characters XML forbids dropped."""
    return _escape(_NOT_XML.sub("", str(text)))


def quoteattr(text: object) -> str:
    """Feed text as a quoted XML attribute value (see :func:`escape`)."""
    return _quoteattr(_NOT_XML.sub("", str(text)))


def _number(value: object, low: float, high: float) -> float | None:
    """``value`` if it is a finite number within [low, high] (not a boolean, not text)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int) and not low <= value <= high:
        return None  # before float(): 10**400 does not fit one
    number = float(value)
    return number if math.isfinite(number) and low <= number <= high else None


def _decimal(number: float) -> str:
    """``number`` as a plain decimal: CAP's coordinates are decimals, with no exponent."""
    text = repr(number)
    if "e" in text:  # 1e-05: to 0.01 m, which is more than any feed means
        text = f"{number:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "-0.0") else text


def _point(value: object) -> str | None:
    """A CAP ``lat,lon`` pair from ``[lat, lon]`` (WGS 84), or None when it is not one."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    lat, lon = _number(value[0], -90, 90), _number(value[1], -180, 180)
    return None if lat is None or lon is None else f"{_decimal(lat)},{_decimal(lon)}"


def cap_polygon(ring: object) -> str | None:
    """A CAP ``<polygon>``'s text from a list of ``[lat, lon]`` points, closed, or None
    when any point is not a pair of numbers in range or there are too few of them."""
    if not isinstance(ring, list) or not 3 <= len(ring) <= _POLYGON_MAX:
        return None
    points = [_point(p) for p in ring]
    if any(p is None for p in points):
        return None
    if points[0] != points[-1]:
        points.append(points[0])  # CAP polygons are closed
    if len(points) < 4:
        return None
    return " ".join(p for p in points if p is not None)


def cap_circle(circle: object) -> str | None:
    """A CAP ``<circle>``'s text (``lat,lon radius-km``) from ``[lat, lon, radius]``."""
    if not isinstance(circle, list | tuple) or len(circle) != 3:
        return None
    centre = _point(list(circle[:2]))
    radius = _number(circle[2], 0, 20_037.5)  # half the Earth's circumference, in km
    return None if centre is None or radius is None else f"{centre} {_decimal(radius)}"


@dataclass(frozen=True, slots=True)
class Document:
    """A rendered document: its bytes and their media type."""

    body: bytes
    content_type: str
    public: bool = False  # a CAP alert of the public feed: readable without a token


def cap_identifier(site_code: str, inc: Incident) -> str:
    """The CAP identifier of ``inc``'s first alert: stable for the incident's life.

    The site's code and a hash of the incident's source and external id: the same
    incident has the same identifier after the cache is rebuilt and in any other
    cache filled from the same feeds (a row number would differ in each), and no
    feed text (spaces, commas, ``<``, ``&``: forbidden in a CAP identifier) reaches it.
    """
    prefix = _SAFE_ID.sub("", site_code) or "cc"
    digest = hashlib.sha256(f"{inc.source}\x00{inc.external_id}".encode()).hexdigest()
    return f"{prefix}-{digest[:20]}"


def _json(doc: object) -> Document:
    return Document(json.dumps(doc, ensure_ascii=False).encode(), "application/json; charset=utf-8")


class Documents:
    """The documents of one cache; ``render(path)`` is None for an unknown path."""

    def __init__(self, store: Store, config: Config, days: int) -> None:
        self.store = store
        self.config = config
        self.days = days
        self.site = config.site
        self.t = Translator(config.site.language)
        self._said: set[str] = set()  # problems already reported (see _say_once)
        self._sites: dict[str, tuple[str, str]] = {}  # source -> the site it reads (code, name)

    # -- dispatch -------------------------------------------------------------------

    def render(self, path: str) -> Document | None:
        """The document at ``path``, or None when there is none (CAP alerts are rendered
        all together: :meth:`cap_alerts`)."""
        fixed: dict[str, Callable[[], Document]] = {
            "/": self.public_page,
            "/status.json": self.status_json,
            "/incidents.json": self.incidents_json,
            "/agencies.json": self.agencies_json,
            "/actions.json": self.actions_json,
            "/events.json": self.events_json,
            "/cap/index.atom": self.cap_index,
            "/cap/public.atom": self.cap_public,
        }
        if path not in fixed:
            return None
        self._sites = self.store.sources.sites()
        return fixed[path]()

    # -- shared reads ---------------------------------------------------------------

    def _site(self) -> dict[str, str]:
        return {"code": self.site.code, "name": self.site.name}

    def _origin(self, inc: Incident) -> str:
        """The code of the site ``inc`` belongs to: the one its item carried from further
        down (a regency's, read through a province), else the site its source reads,
        else this one. Kept through every re-publishing."""
        carried = inc.extra.get("site") if isinstance(inc.extra, dict) else None
        if isinstance(carried, str) and carried:
            return carried
        read = self._sites.get(inc.source)
        return read[0] if read else self.site.code

    def _kecamatan(self, inc: Incident) -> tuple[str, str] | None:
        """``(Kemendagri code, name)`` of the kecamatan ``inc`` is in, when known: the
        code its feed gave (``kode_wilayah``), else its area's name looked up among the
        kecamatan of the site it belongs to."""
        origin = self._origin(inc)
        given = inc.extra.get("kode_wilayah") if isinstance(inc.extra, dict) else None
        if isinstance(given, str):
            for code, name in gazetteer(origin):
                if code == given:
                    return code, name
        if not inc.area:
            return None
        named, found = resolve_area(inc.area, origin)
        return (found, named) if found is not None else None

    def _published(self) -> list[Incident]:
        """Active incidents and those updated in the last ``days`` days."""
        return self.store.incidents.for_publishing(utcnow() - timedelta(days=self.days))

    def _public_incidents(self, resolved_since: datetime | None = None) -> list[Incident]:
        """Active incidents the public may see: of public categories, not exercises (and
        those resolved since ``resolved_since``, when given)."""
        return self.store.incidents.listing(
            public=self.config.serve.public_categories, resolved_since=resolved_since
        )

    # -- native feeds ---------------------------------------------------------------

    def _native(self, kind: str, items: list[dict[str, Any]]) -> Document:
        doc: dict[str, object] = {"format": f"cc-console/{kind}", "version": 1}
        doc["site"] = self._site()
        # generated_at is this site's last write to its cache (its last good poll), not
        # the time of the response: a reading site sees a site that stopped as stale
        # even while its server answers. Without a poll, the newest item's time.
        written = iso_z(self.store.sources.last_success())
        stamps = [str(i["updated_at"]) for i in items if i.get("updated_at")]
        if written or stamps:
            doc["generated_at"] = written or max(stamps)
        doc[kind] = items
        return _json(doc)

    def incidents_json(self) -> Document:
        """Active incidents and any updated in the last ``days`` days (native feed)."""
        items = []
        for inc in self._published():
            # Each item names the site it belongs to: a province re-publishing a regency's
            # items keeps the regency's code, so a national reader still sees it.
            item = incident_json(inc, site=self._origin(inc))
            item["id"] = inc.id  # this site's full id is the external id upstream
            items.append(item)
        return self._native("incidents", items)

    def agencies_json(self) -> Document:
        """Every agency (native feed)."""
        items = []
        for a in self.store.agencies.listing():
            read = self._sites.get(a.source)
            items.append(agency_json(a, site=read[0] if read else self.site.code))
        return self._native("agencies", items)

    def events_json(self) -> Document:
        """Open disaster events and those closed in the last ``days`` days, each as
        ``event show --json`` prints it (the province sums them per site)."""
        from cc_console.crisis import show_json

        now = utcnow()
        since = now - timedelta(days=self.days)
        items = [
            show_json(self.store, e, now)
            for e in self.store.crisis.listing(include_closed=True)
            if e.closed_at is None or e.closed_at >= since
        ]
        return self._native("events", items)

    def actions_json(self) -> Document:
        """Open action items and those closed in the last ``days`` days."""
        now = utcnow()
        since = now - timedelta(days=self.days)
        items = [
            item_json(i, now)
            for i in self.store.followups.items()
            if i.status == "open" or (i.done_at is not None and i.done_at >= since)
        ]
        return _json(
            {"format": "cc-console/actions", "version": 1, "site": self._site(), "actions": items}
        )

    # -- Statuspage -----------------------------------------------------------------

    def status_json(self) -> Document:
        """Agencies as components of a Statuspage v2 ``summary.json``; the public incidents
        (active, and those resolved in the last day, so a reader learns the end) with
        their public updates.

        A component's times are when its status really changed (its history), not when
        the document was rendered: a reader that compares them sees only real changes.
        """
        page_id = _SAFE_ID.sub("", self.site.code) or "cc-console"
        agencies = self.store.agencies.listing()
        times = self.store.agencies.status_times()
        components = []
        for n, a in enumerate(sorted(agencies, key=lambda a: (a.name.casefold(), a.id))):
            first, since = times.get((a.source, a.id), (None, None))
            components.append(
                {
                    "id": a.id,
                    "name": a.name,
                    "status": _COMPONENT.get(a.status, a.status),
                    "description": None,
                    "position": n + 1,
                    "group": False,
                    "group_id": None,
                    "only_show_if_degraded": False,
                    "showcase": True,
                    "page_id": page_id,
                    "created_at": iso_z(first or since or a.updated_at),
                    "updated_at": iso_z(since or a.updated_at),
                }
            )
        notes = self.store.journal.public_notes()
        incidents = [
            self._status_incident(inc, page_id, notes.get(inc.id, []))
            for inc in self._public_incidents(resolved_since=utcnow() - timedelta(days=1))
        ]
        worst = min((_RANK.get(a.status, 9) for a in agencies), default=9)
        indicator = {0: "critical", 1: "major", 2: "minor"}.get(worst, "none")
        stamps = [c["updated_at"] for c in components if c["updated_at"]]
        stamps += [i["updated_at"] for i in incidents if i["updated_at"]]
        return _json(
            {
                "page": {
                    "id": page_id,
                    "name": self.site.name,
                    "url": self.config.serve.public_url or "",
                    "time_zone": self.site.timezone,
                    "updated_at": max(stamps, default=None),
                },
                "status": {"indicator": indicator, "description": self.t(f"public.{indicator}")},
                "components": components,
                "incidents": incidents,
                "scheduled_maintenances": [],
            }
        )

    def _status_incident(
        self, inc: Incident, page_id: str, notes: list[tuple[int, datetime, str]]
    ) -> dict[str, Any]:
        """One public incident as a Statuspage incident, its public updates newest first."""
        ident = cap_identifier(self.site.code, inc)
        base = self.config.serve.public_url
        updates = [
            {
                "id": f"{ident}-n{seq}",
                "status": self._status_word(inc, at),
                "body": text,
                "incident_id": ident,
                "created_at": iso_z(at),
                "updated_at": iso_z(at),
                "display_at": iso_z(at),
                "affected_components": None,
                "deliver_notifications": True,
            }
            for seq, at, text in reversed(notes)
        ]
        changed = [inc.updated_at, inc.acknowledged_at, inc.resolved_at, inc.reported_at]
        changed += [at for _, at, _ in notes]
        updated = max((t for t in changed if t is not None), default=None)
        return {
            "id": ident,
            "name": inc.title,
            "status": self._status_word(inc, None),
            "impact": _IMPACT.get(inc.severity, "none"),
            "created_at": iso_z(inc.reported_at),
            "updated_at": iso_z(updated),
            "started_at": iso_z(inc.reported_at),
            "resolved_at": iso_z(inc.resolved_at) if inc.status == "resolved" else None,
            "monitoring_at": None,
            # The incident on the public page (absolute only when the page's address is
            # known: a reader cannot resolve a relative link against a JSON document).
            "shortlink": f"{base}/#{_anchor(ident)}" if base else None,
            "page_id": page_id,
            "components": [],
            "incident_updates": updates,
        }

    @staticmethod
    def _status_word(inc: Incident, at: datetime | None) -> str:
        """Statuspage's word for ``inc``'s status now, or (``at``) as it was then."""

        def reached(when: datetime | None) -> bool:
            return when is not None and (at is None or when <= at)

        if inc.status == "resolved" and reached(inc.resolved_at):
            return "resolved"
        if inc.status in ("acknowledged", "resolved") and reached(inc.acknowledged_at):
            return "identified"
        return "investigating"

    # -- CAP 1.2 --------------------------------------------------------------------

    def _sender(self) -> str:
        code = _SAFE_ID.sub("", self.site.code)
        return f"cc-console.{code}" if code else "cc-console"

    def _cap_time(self, when: datetime | None) -> str:
        """CAP's dateTime: with an offset, never ``Z`` (CAP 1.2, 3.3.2)."""
        local = in_zone(when or utcnow(), self.site.tz)
        return local.replace(microsecond=0).isoformat()

    def _messages(self) -> list[tuple[str, Incident]]:
        """(identifier, incident) of each incident's latest message: the active ones, and
        those that ended (resolved, cancelled) in the last day, so readers learn the end."""
        since = utcnow() - timedelta(days=1)
        out = []
        for inc in self._published():
            ended = self._ended_at(inc)
            if inc.status in ("resolved", "cancelled") and (ended is None or ended < since):
                continue
            out.append((self._identifier(inc), inc))
        return out

    def _identifier(self, inc: Incident) -> str:
        """The first alert's identifier, or a later one's when the incident has changed or
        ended: ``<first>-u<time of the change>`` (the same state, the same identifier)."""
        first = cap_identifier(self.site.code, inc)
        changed = self._changed_at(inc)
        if changed is None and inc.status in ("resolved", "cancelled"):
            changed = self._ended_at(inc) or inc.reported_at
        if changed is None:
            return first
        # In UTC: the same change has the same identifier whatever the site's zone.
        return f"{first}-u{in_zone(changed, UTC).strftime('%Y%m%dT%H%M%S')}"

    @staticmethod
    def _ended_at(inc: Incident) -> datetime | None:
        return inc.resolved_at or inc.updated_at if inc.status == "resolved" else inc.updated_at

    @staticmethod
    def _changed_at(inc: Incident) -> datetime | None:
        """When ``inc`` last changed after it was reported (None: never)."""
        stamps = [t for t in (inc.updated_at, inc.acknowledged_at, inc.resolved_at) if t]
        latest = max(stamps, default=None)
        if latest is None or inc.reported_at is None or latest <= inc.reported_at:
            return None
        return latest

    def _atom_link(self, path: str) -> str:
        """``path`` under ``[serve] public_url`` when it is set (absolute), else as is."""
        base = self.config.serve.public_url
        return f"{base}{path}" if base else path

    def cap_index(self) -> Document:
        """An Atom feed with one entry per published incident, linking its CAP alert."""
        return self._atom("/cap/index.atom", self.t("public.feed_title_all"), self._rendered())

    def cap_public(self) -> Document:
        """The public CAP feed: alerts of public categories, no exercises, none relayed
        from another authority; what an aggregator polls, without a token."""
        listed = [r for r in self._rendered() if self._listed_publicly(r[1])]
        return self._atom("/cap/public.atom", self.t("public.feed_title"), listed)

    def _atom(self, path: str, title: str, rendered: list[tuple[str, Incident, str]]) -> Document:
        entries = []
        updated = []
        for ident, inc, _ in rendered:  # no entry links to an alert left out
            stamp = self._cap_time(self._changed_at(inc) or inc.reported_at)
            updated.append(stamp)
            head = self._head(ident, inc)
            entries.append(
                "<entry>"
                f"<id>urn:cc-console:{escape(ident)}</id>"
                f"<title>{escape(inc.title)}</title>"
                f"<updated>{stamp}</updated>"
                '<link rel="alternate" type="application/cap+xml" '
                f"href={quoteattr(self._atom_link(f'/cap/{ident}.xml'))}/>"
                f"<category term={quoteattr(inc.category)}/>"
                # What a reader shows under the title, in the site's language.
                f"<summary>{escape(self._summary(inc, head))}</summary>"
                # The CAP summary fields (OASIS CAP feeds): a reader sorts and filters
                # without fetching every alert.
                f"<cap:event>{escape(head['event'])}</cap:event>"
                f"<cap:severity>{head['severity']}</cap:severity>"
                f"<cap:urgency>{head['urgency']}</cap:urgency>"
                f"<cap:certainty>{head['certainty']}</cap:certainty>"
                f"<cap:expires>{head['expires']}</cap:expires>"
                f"<cap:areaDesc>{escape(head['area'])}</cap:areaDesc>"
                "</entry>"
            )
        base = self.config.serve.public_url
        head_xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="{_CAP_NS}"'
            + (f" xml:base={quoteattr(base + '/')}" if base else "")
            + ">"
            f"<id>urn:cc-console:{escape(self._sender())}:{escape(path)}</id>"
            f"<title>{escape(self.site.name)}: {escape(title)}</title>"
            f"<updated>{max(updated, default=self._cap_time(None))}</updated>"
            f"<author><name>{escape(self.site.name)}</name></author>"
            '<link rel="self" type="application/atom+xml" '
            f"href={quoteattr(self._atom_link(path))}/>"
        )
        body = head_xml + "".join(entries) + "</feed>\n"
        return Document(body.encode(), "application/atom+xml; charset=utf-8")

    def _summary(self, inc: Incident, head: dict[str, str]) -> str:
        """An Atom entry's summary: severity, event and place in the site's language
        ("sangat parah · banjir · Kec. Cibatu"), then the category's instruction."""
        words = [self.t.word("severity", inc.severity), head["event"], self._place(inc)[1]]
        instruction = self.config.public.instructions.get(inc.category)
        text = " · ".join(w for w in words if w)
        return f"{text}. {instruction}" if instruction else text

    def cap_alerts(self) -> dict[str, Document]:
        """Every published incident's latest CAP message, by identifier, and the first
        alert of each that a later message references (its ``references`` must stay
        fetchable: kept while the incident was updated in the last ``REFERENCED_DAYS``).
        Those of the public feed (and the alerts they reference) are marked public:
        readable without a token."""
        self._sites = self.store.sources.sites()
        alerts = {
            ident: Document(body.encode(), "application/cap+xml", public=self._listed_publicly(inc))
            for ident, inc, body in self._rendered()
        }
        since = utcnow() - timedelta(days=REFERENCED_DAYS)
        for inc in self.store.incidents.for_publishing(since):
            first = cap_identifier(self.site.code, inc)
            if first in alerts or self._identifier(inc) == first:
                continue  # listed already, or never superseded: nothing references it
            try:
                body = self._alert(first, inc, original=True)
            except Exception as exc:  # one feed's item must not stop the rest
                self._say_once(first, f"left out: {type(exc).__name__}: {exc}")
                continue
            alerts[first] = Document(
                body.encode(), "application/cap+xml", public=self._listed_publicly(inc)
            )
        return alerts

    def _rendered(self) -> list[tuple[str, Incident, str]]:
        """(identifier, incident, alert) of each message that renders.

        One incident whose data cannot be rendered is left out (and said once on
        stderr); it never takes the index or the other alerts down with it.
        """
        out = []
        for ident, inc in self._messages():
            try:
                out.append((ident, inc, self._alert(ident, inc)))
            except Exception as exc:  # anything: one feed's item must not stop the rest
                self._say_once(ident, f"left out: {type(exc).__name__}: {exc}")
        return out

    def _say_once(self, ident: str, what: str) -> None:
        """One line on stderr per message and problem, not one per request."""
        key = f"{ident} {what}"
        if key not in self._said:
            self._said.add(key)
            # A feed's text in an error is shown, never run by the terminal.
            sys.stderr.write(f"cc-console serve: CAP {ident}: {clean_line(what)}\n")

    def _relayed(self, inc: Incident) -> bool:
        """Whether ``inc`` came from another authority's feed (earthquakes of BMKG or
        USGS, CAP of another sender): theirs to publish, not ours to re-issue."""
        try:
            fmt = self.config.source(inc.source).format
        except Exception:  # a source no longer configured: nothing says it relays
            return False
        if fmt in ("bmkg-gempa", "geojson"):
            return True
        sender = inc.extra.get("sender") if isinstance(inc.extra, dict) else None
        return fmt == "cap" and not str(sender or "").startswith("cc-console")

    def _listed_publicly(self, inc: Incident) -> bool:
        """In ``/cap/public.atom``: a public category, not an exercise, not relayed."""
        return self._is_public(inc) and not self._relayed(inc)

    def _head(self, ident: str, inc: Incident, *, original: bool = False) -> dict[str, str]:
        """What a message says of ``inc`` beyond its text: sent, expires, event,
        severity, urgency, certainty, area (shared by the alert and its Atom entry)."""
        sent_at = (inc.reported_at if original else self._changed_at(inc) or inc.reported_at) or (
            utcnow()
        )
        resolved = inc.status == "resolved" and not original
        ended = inc.status in ("resolved", "cancelled") and not original
        # What a source said, when it said it; else what an open incident is: happening
        # now (Immediate), seen (Observed). An ended one is Past.
        extra = inc.extra if isinstance(inc.extra, dict) else {}
        urgency = str(extra.get("urgency") or "")
        certainty = str(extra.get("certainty") or "")
        if urgency not in _URGENCY or ended:
            urgency = "Past" if ended else "Immediate"
        if certainty not in _CERTAINTY:
            certainty = "Observed"
        # An all-clear is news for an hour; the rest for the category's [public] expires.
        life = 3600.0 if resolved else self.config.public.expires_after(inc.category)
        return {
            "sent": self._cap_time(sent_at),
            "expires": self._cap_time(sent_at + timedelta(seconds=life)),
            "event": self.t(f"category.{inc.category}"),
            "severity": _CAP_SEVERITY.get(inc.severity, "Unknown"),
            "urgency": urgency,
            "certainty": certainty,
            "area": inc.area or self.site.name,
        }

    def _alert(self, ident: str, inc: Incident, *, original: bool = False) -> str:
        """The CAP message ``ident`` of ``inc``: its latest, or (``original``) the first
        alert as it was sent when the incident was reported, for those that reference it."""
        first = cap_identifier(self.site.code, inc)
        sender = self._sender()
        first_sent = self._cap_time(inc.reported_at)
        head = self._head(ident, inc, original=original)
        if original:
            msg_type = "Alert"
        elif inc.status == "cancelled":
            msg_type = "Cancel"
        elif ident != first:
            msg_type = "Update"
        else:
            msg_type = "Alert"
        parts = [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f'<alert xmlns="{_CAP_NS}">',
            f"<identifier>{escape(ident)}</identifier>",
            f"<sender>{escape(sender)}</sender>",
            f"<sent>{head['sent']}</sent>",
            f"<status>{'Exercise' if inc.exercise else 'Actual'}</status>",
            f"<msgType>{msg_type}</msgType>",
            "<scope>Public</scope>" if self._is_public(inc) else "<scope>Restricted</scope>",
        ]
        if not self._is_public(inc):
            parts.append("<restriction>command centers</restriction>")
        if msg_type != "Alert":
            parts.append(f"<references>{escape(sender)},{escape(first)},{first_sent}</references>")
        language = "id-ID" if self.site.language == "id" else "en-US"
        resolved = inc.status == "resolved" and not original
        instruction = self.config.public.instructions.get(inc.category)
        # In the order of CAP 1.2's schema. A resolved incident is over (AllClear).
        info = [
            "<info>",
            f"<language>{language}</language>",
            f"<category>{_CAP_CATEGORY.get(inc.category, 'Other')}</category>",
            f"<event>{escape(head['event'])}</event>",
            "<responseType>AllClear</responseType>" if resolved else "",
            f"<urgency>{head['urgency']}</urgency>",
            f"<severity>{head['severity']}</severity>",
            f"<certainty>{head['certainty']}</certainty>",
            f"<expires>{head['expires']}</expires>",
            f"<senderName>{escape(self.site.name)}</senderName>",
            f"<headline>{escape(inc.title)}</headline>",
        ]
        if inc.description:
            info.append(f"<description>{escape(inc.description)}</description>")
        if instruction and not resolved:
            info.append(f"<instruction>{escape(instruction)}</instruction>")
        if inc.url:
            info.append(f"<web>{escape(inc.url)}</web>")
        info.append(
            "<parameter><valueName>cc-console:category</valueName>"
            f"<value>{escape(inc.category)}</value></parameter>"
            # The site it belongs to (a regency's, when a province re-publishes it).
            "<parameter><valueName>cc-console:site</valueName>"
            f"<value>{escape(self._origin(inc))}</value></parameter>"
        )
        area = self._area(ident, inc)
        if area:
            info.append(area)
        info.append("</info>")
        return "".join(parts + info) + "</alert>\n"

    def _area(self, ident: str, inc: Incident) -> str:
        """The ``<area>``: its name, the feed's shapes that are valid, and the point.

        Coordinates are written only as numbers in range: a shape with anything
        else (text, a missing radius, NaN) is left out and said once.
        """
        shapes = inc.extra.get("shapes") if isinstance(inc.extra, dict) else None
        inner = [f"<areaDesc>{escape(inc.area or self.site.name)}</areaDesc>"]
        polygons, circles = [], []
        for shape in shapes if isinstance(shapes, list) else []:
            if isinstance(shape, dict) and "polygon" in shape:
                polygon = cap_polygon(shape["polygon"])
                if polygon is not None:
                    polygons.append(f"<polygon>{polygon}</polygon>")
                    continue
            elif isinstance(shape, dict) and "circle" in shape:
                circle = cap_circle(shape["circle"])
                if circle is not None:
                    circles.append(f"<circle>{circle}</circle>")
                    continue
            self._say_once(
                ident, f"a shape that is not a valid polygon or circle left out: {shape!r:.120}"
            )
        point = _point([inc.lat, inc.lon])
        if point is not None:
            # The point as a circle of [public] point_radius_km (a reader cannot show a
            # zero radius); kept beside a polygon, so a reader learns the point too.
            radius = _decimal(self.config.public.point_radius_km)
            circle = f"<circle>{point} {radius}</circle>"
            if circle not in circles:
                circles.append(circle)
        # The kecamatan's Kemendagri code, so a reader can match the area to its own map.
        kecamatan = self._kecamatan(inc)
        geocodes = (
            [
                "<geocode><valueName>KEMENDAGRI</valueName>"
                f"<value>{escape(kecamatan[0])}</value></geocode>"
            ]
            if kecamatan
            else []
        )
        # CAP 1.2's schema: every polygon before every circle, the geocodes after them.
        return "<area>" + "".join(inner + polygons + circles + geocodes) + "</area>"

    def _is_public(self, inc: Incident) -> bool:
        return inc.category in self.config.serve.public_categories and not inc.exercise

    # -- the public page ------------------------------------------------------------

    def _hazards(self, now: datetime) -> list[list[Incident]]:
        """The active public hazards a citizen should see, most severe first.

        Each is a list of the reports of one hazard: one incident, or the reports of
        one earthquake by several sources (BMKG and USGS both report it: shown once,
        naming both). Earthquakes older than ``[public] quake_hours`` are over for
        the public even while a feed still lists them.
        """
        since = now - timedelta(hours=self.config.public.quake_hours)
        quakes: list[list[Incident]] = []
        others: list[list[Incident]] = []
        for inc in sorted(self._public_incidents(), key=lambda i: i.reported_at or now):
            if inc.category != "earthquake":
                others.append([inc])
            elif inc.reported_at is not None and inc.reported_at >= since:
                same = next((q for q in quakes if any(_same_quake(inc, o) for o in q)), None)
                if same is not None and inc.source not in {o.source for o in same}:
                    same.append(inc)
                else:
                    quakes.append([inc])
        hazards = others + quakes
        for reports in hazards:
            # The national authority's report (BMKG, in the site's language) gives the
            # words, else the first one received; the severity is the worst reported.
            reports.sort(key=lambda i: (not self._bmkg(i), i.reported_at or now, i.seq or 0))
        newest = datetime.min.replace(tzinfo=UTC)
        return sorted(
            hazards,
            key=lambda r: (
                _worst(r),
                -max(i.reported_at or newest for i in r).timestamp(),
                -(r[0].seq or 0),
            ),
        )

    def _bmkg(self, inc: Incident) -> bool:
        try:
            return self.config.source(inc.source).format == "bmkg-gempa"
        except Exception:  # a source no longer configured
            return False

    def _place(self, inc: Incident) -> tuple[str, str]:
        """``(key, heading)`` of the group a hazard is shown under: its kecamatan, one
        group per Kemendagri code whatever the feed called it ("Kec. Cibatu", "Cibatu";
        another site's with that site's name), an earthquake's epicentre region as the
        feed says it, else the area as given, else the whole site."""
        kecamatan = self._kecamatan(inc)
        if kecamatan is not None:
            code, name = kecamatan
            heading = f"Kec. {name}"
            origin = self._origin(inc)
            if origin != self.site.code:
                site = next((n for c, n in self._sites.values() if c == origin), origin)
                heading = f"{heading}, {site}"
            return code, heading
        if not inc.area:
            return "", self.site.name
        return f"area:{inc.area}", inc.area

    def public_page(self) -> Document:
        """The public status page, hazard first: the emergency numbers, the worst
        active hazard, the time of the last update, the hazards grouped by kecamatan
        (most severe first, each with its instruction), then the services in short.

        A service outage never heads the page: a citizen during a flood must first
        read the flood and whom to call.
        """
        t, tz, now = self.t, self.site.tz, utcnow()
        notes = self.store.journal.public_notes()
        hazards: list[dict[str, Any]] = []
        for reports in self._hazards(now):
            lead = reports[0]
            severity = min((i.severity for i in reports), key=lambda s: _SEVERITY_ORDER.get(s, 9))
            first = min((i.reported_at for i in reports if i.reported_at), default=None)
            group, place = self._place(lead)
            # The operators' public updates of every report of it, newest first.
            updates = sorted(  # by time, then by journal order (two in one second)
                (n for i in reports for n in notes.get(i.id, [])),
                key=lambda n: (n[1], n[0]),
                reverse=True,
            )
            hazards.append(
                {
                    "group": group,
                    "anchors": [_anchor(cap_identifier(self.site.code, i)) for i in reports],
                    "updates": [
                        {"when": t.when(at, tz, year=False), "text": text}
                        for _, at, text in updates
                    ],
                    "title": lead.title,
                    "category": t(f"category.{lead.category}"),
                    "severity": severity,
                    "severity_word": t(f"severity.{severity}"),
                    "place": place,
                    "reported": t.when(first, tz, year=False),
                    "handled": any(i.status == "acknowledged" for i in reports),
                    "instruction": self.config.public.instructions.get(lead.category, ""),
                    "sources": [i.source for i in reports] if len(reports) > 1 else [],
                }
            )
        groups: dict[str, tuple[str, list[dict[str, Any]]]] = {}
        for h in hazards:  # in order of severity: a group's place is its worst hazard's
            groups.setdefault(h["group"], (h["place"], []))[1].append(h)
        agencies = [
            {"name": a.name, "status": a.status, "word": t(f"agency.{a.status}")}
            for a in sorted(
                self.store.agencies.listing(),
                key=lambda a: (_RANK.get(a.status, 3), a.name.casefold()),
            )
        ]
        counts: dict[str, int] = {}
        for a in agencies:
            counts[a["status"]] = counts.get(a["status"], 0) + 1
        summary = [
            {"status": s, "n": counts[s], "word": t(f"agency.{s}")}
            for s in ("major_outage", "partial_outage", "degraded", "maintenance",
                      "unknown", "operational")
            if counts.get(s)
        ]  # fmt: skip
        last = self.store.sources.last_success()
        html = template("public.html.j2").render(
            t=t,
            lang=self.site.language,
            site=self.site.name,
            emergency=[{"text": e, "tel": _tel(e)} for e in self.config.public.emergency],
            worst=hazards[0] if hazards else None,
            groups=list(groups.values()),
            agencies=agencies,
            troubled=[a for a in agencies if a["status"] != "operational"],
            summary=summary,
            updated=t.when(last, tz) if last else "",
        )
        return Document(html.encode(), "text/html; charset=utf-8")


QUAKE_SAME_S = 120  # two reports of one earthquake: origin times this close ...
QUAKE_SAME_KM = 50.0  # ... and epicentres this close (BMKG and USGS differ by tens of km)


def _anchor(ident: str) -> str:
    """The id of an incident's card on the public page (its status.json shortlink)."""
    return f"i-{ident}"


def _worst(reports: list[Incident]) -> int:
    """The rank of the worst severity among ``reports`` (0: extreme)."""
    return min(_SEVERITY_ORDER.get(i.severity, 9) for i in reports)


def _tel(text: str) -> str | None:
    """The number to dial in an emergency entry ("BPBD (0262) 123456" -> "0262123456"):
    its last run of digits, so a phone can call it with one tap; None without one."""
    runs = re.findall(r"\+?\d[\d\s().-]*\d", text)
    if not runs:
        return None
    number = re.sub(r"[^\d+]", "", runs[-1])
    return number if len(number.lstrip("+")) >= 3 else None


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _same_quake(a: Incident, b: Incident) -> bool:
    """Whether ``a`` and ``b`` report one earthquake: origin times within two minutes
    and epicentres within 50 km. Without a position or a time, never the same."""
    if a.reported_at is None or b.reported_at is None:
        return False
    if abs((a.reported_at - b.reported_at).total_seconds()) > QUAKE_SAME_S:
        return False
    if None in (a.lat, a.lon, b.lat, b.lon):
        return False
    return _km(a.lat, a.lon, b.lat, b.lon) <= QUAKE_SAME_KM  # type: ignore[arg-type]


_RANK = {"major_outage": 0, "partial_outage": 1, "degraded": 2}
_SEVERITY_ORDER = {"extreme": 0, "severe": 1, "moderate": 2, "minor": 3, "unknown": 4}
