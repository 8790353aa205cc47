"""The demo world in each feed format cc-console reads (what real publishers serve)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from cc_console.demo.world import WIB, DemoWorld, utc

__all__ = ["RENDERERS"]

_MONTHS_ID = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
_COMPONENT_OF = {
    "operational": "operational",
    "degraded": "degraded_performance",
    "partial_outage": "partial_outage",
    "major_outage": "major_outage",
}


def native_incidents(w: DemoWorld, base: str) -> bytes:
    from cc_console.demo.session import CATEGORY_OWNER

    owners = set(CATEGORY_OWNER.values())
    items = [
        {
            "id": r.id,
            "title": r.title,
            "description": r.description,
            "category": r.category,
            "severity": r.severity,
            "status": r.status,
            "area": r.area,
            "lat": r.lat,
            "lon": r.lon,
            "reported_at": utc(r.reported_at),
            "updated_at": utc(r.updated_at),
            "url": f"https://lapor.garutkab.go.id/{r.id}",
            "extra": {"kode_wilayah": r.code, "opd": r.agency},
            # Taken up: the agency that acknowledged it has it (the late ones too, so
            # Kinerja's late column is not all on the centre's unassigned row); one of
            # the agencies with 90 days of history, so its trend tells a story.
            **({"assigned_to": r.agency} if r.status != "open" and r.agency in owners else {}),
        }
        for r in w.reports
    ]
    return json.dumps(
        {
            "format": "cc-console/incidents",
            "version": 1,
            "generated_at": utc(w.now),
            "incidents": items,
        },
        ensure_ascii=False,
    ).encode()


def native_agencies(w: DemoWorld, base: str) -> bytes:
    items = [
        {
            "id": a.id,
            "name": a.name,
            "status": a.status,
            "summary": a.summary,
            "updated_at": utc(a.updated_at),
            "kpis": [
                {
                    "name": k[0],
                    "value": k[1],
                    "target": k[2],
                    "unit": k[3],
                    "higher_is_better": k[4],
                }
                for k in a.kpis
            ],
        }
        for a in w.agencies
    ]
    return json.dumps(
        {
            "format": "cc-console/agencies",
            "version": 1,
            "generated_at": utc(w.now),
            "agencies": items,
        },
        ensure_ascii=False,
    ).encode()


def statuspage(w: DemoWorld, base: str) -> bytes:
    components = [
        {
            "id": "grp-layanan",
            "name": "Layanan Digital Pemkab",
            "status": "operational",
            "group": True,
            "group_id": None,
        }
    ]
    for s in w.services:
        components.append(
            {
                "id": s.id,
                "name": s.name,
                "status": s.status,
                "group": False,
                "group_id": "grp-layanan",
                "description": s.summary,
                "updated_at": s.updated_at.astimezone(WIB).isoformat(),
            }
        )
    bad = [s for s in w.services if s.status != "operational"]
    incidents = [
        {
            "id": f"sp-{s.id}",
            "name": f"Gangguan {s.name}",
            "status": "investigating",
            "impact": "minor" if s.status == "degraded_performance" else "major",
            "created_at": s.updated_at.astimezone(WIB).isoformat(),
            "updated_at": s.updated_at.astimezone(WIB).isoformat(),
            "shortlink": f"https://status.garutkab.go.id/incidents/{s.id}",
            "components": [{"id": s.id, "name": s.name}],
            "incident_updates": [
                {
                    "body": "Tim Diskominfo sedang menyelidiki.",
                    "created_at": s.updated_at.astimezone(WIB).isoformat(),
                }
            ],
        }
        for s in bad
    ]
    doc = {
        "page": {
            "id": "garut",
            "name": "Status Layanan Pemkab Garut",
            "url": "https://status.garutkab.go.id",
            "time_zone": "Asia/Jakarta",
            "updated_at": w.now.astimezone(WIB).isoformat(),
        },
        "status": {
            "indicator": "minor" if bad else "none",
            "description": "Gangguan sebagian" if bad else "Normal",
        },
        "components": components,
        "incidents": incidents,
        "scheduled_maintenances": [],
    }
    return json.dumps(doc, ensure_ascii=False).encode()


def bmkg(w: DemoWorld, base: str) -> bytes:
    items = []
    for q in w.quakes:
        local = q.at.astimezone(WIB)
        items.append(
            {
                "Tanggal": f"{local.day} {_MONTHS_ID[local.month - 1]} {local.year}",
                "Jam": f"{local:%H:%M:%S} WIB",
                "DateTime": q.at.astimezone(UTC).isoformat(),
                "Coordinates": f"{q.lat},{q.lon}",
                "Lintang": f"{abs(q.lat):.2f} LS",
                "Bujur": f"{q.lon:.2f} BT",
                "Magnitude": f"{q.magnitude:.1f}",
                "Kedalaman": f"{q.depth} km",
                "Wilayah": q.region,
                "Potensi": "Berpotensi tsunami" if q.tsunami else "Tidak berpotensi tsunami",
            }
        )
    return json.dumps({"Infogempa": {"gempa": items}}).encode()


def geojson(w: DemoWorld, base: str) -> bytes:
    features = [
        {
            "type": "Feature",
            "id": f"demo{int(q.at.timestamp())}",
            "properties": {
                "mag": q.magnitude,
                "place": "south of Java, Indonesia",
                "time": int(q.at.timestamp() * 1000),
                "updated": int(q.at.timestamp() * 1000),
                "url": None,
                "alert": None,
                "tsunami": 0,
                "type": "earthquake",
                "title": f"M {q.magnitude} - south of Java, Indonesia",
            },
            "geometry": {"type": "Point", "coordinates": [q.lon, q.lat, q.depth]},
        }
        for q in w.quakes
        if q.magnitude >= 4.5
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def cap_index(w: DemoWorld, base: str) -> bytes:
    entries = "".join(
        f"<entry><id>{a.identifier}</id><title>{escape(a.headline)}</title><updated>{utc(a.sent)}</updated>"
        f'<link rel="alternate" type="application/cap+xml" href="{base}/cap/{a.identifier}.xml"/></entry>'
        for a in w.cap
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>BPBD Kabupaten Garut</title><updated>{utc(w.now)}</updated>{entries}</feed>"
    ).encode()


def cap_document(w: DemoWorld, identifier: str) -> bytes | None:
    for a in w.cap:
        if a.identifier == identifier:
            refs = f"<references>{escape(a.references)}</references>" if a.references else ""
            return (
                '<?xml version="1.0" encoding="UTF-8"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
                f"<identifier>{a.identifier}</identifier><sender>bpbd@garutkab.go.id</sender>"
                f"<sent>{a.sent.astimezone(WIB).isoformat()}</sent><status>Actual</status>"
                f"<msgType>{a.msg_type}</msgType><scope>Public</scope>{refs}"
                "<info><language>id-ID</language><category>Geo</category>"
                f"<event>{escape(a.event)}</event><urgency>Immediate</urgency><severity>{a.severity}</severity>"
                f"<certainty>Observed</certainty><senderName>BPBD Kabupaten Garut</senderName>"
                f"<headline>{escape(a.headline)}</headline>"
                "<description>Peringatan dari Pusdalops BPBD Kabupaten Garut.</description>"
                "<instruction>Ikuti arahan petugas dan siapkan tas siaga.</instruction>"
                f"<area><areaDesc>{escape(a.area)}</areaDesc><circle>{a.lat},{a.lon} 3</circle></area>"
                "</info></alert>"
            ).encode()
    return None


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ical(w: DemoWorld, base: str) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Diskominfo Garut//Agenda Demo//ID",
        "X-WR-CALNAME:Agenda Pemkab Garut",
    ]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for m in w.meetings():
        lines += ["BEGIN:VEVENT", f"UID:{m['uid']}", f"DTSTAMP:{stamp}"]
        if "date" in m:
            lines.append(f"DTSTART;VALUE=DATE:{m['date']:%Y%m%d}")
        else:
            lines.append(f"DTSTART;TZID=Asia/Jakarta:{m['start']:%Y%m%dT%H%M%S}")
            lines.append(f"DTEND;TZID=Asia/Jakarta:{m['end']:%Y%m%dT%H%M%S}")
        if m.get("rrule"):
            lines.append(f"RRULE:{m['rrule']}")
        lines.append(f"SUMMARY:{_ics_text(m['title'])}")
        lines.append(f"LOCATION:{_ics_text(m['location'])}")
        lines.append(f"STATUS:{m.get('status', 'CONFIRMED')}")
        lines.append(f"ORGANIZER;CN={_ics_text(m['organizer'])}:mailto:sekretariat@garutkab.go.id")
        lines += [f"ATTENDEE;CN={_ics_text(p)}:mailto:cc@garutkab.go.id" for p in m["attendees"]]
        if m.get("description"):
            lines.append(f"DESCRIPTION:{_ics_text(m['description'])}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


RENDERERS = {
    "/laporan.json": ("application/json", native_incidents),
    "/opd.json": ("application/json", native_agencies),
    "/api/v2/summary.json": ("application/json", statuspage),
    "/gempaterkini.json": ("application/json", bmkg),
    "/usgs.geojson": ("application/geo+json", geojson),
    "/cap/index.atom": ("application/atom+xml", cap_index),
    "/agenda.ics": ("text/calendar", ical),
}
