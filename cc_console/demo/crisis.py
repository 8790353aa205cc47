"""The demo's disaster: an ongoing flood in Garut, as a PUSDALOPS would have it by now.

Three kecamatan, one of them reported twice (the second report after
yesterday's sit-rep, so today's shows what changed), tanggap darurat under a
decree, two urgent needs, the flood incidents of the feed linked and assigned (the
first with a public update for the page and status.json), and last week's
coordination meeting linked with its decisions and items.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cc_console.crisis import sitrep_doc
from cc_console.timefmt import utcnow

__all__ = ["PUBLIC_UPDATE", "seed_citarum", "seed_crisis"]

PUBLIC_UPDATE = (
    "Posko pengungsian dibuka di GOR Ciateul. Warga bantaran Sungai Cimanuk diminta "
    "mengungsi; bantuan perahu karet hubungi 112."
)


def seed_crisis(store: Any, meeting_id: str | None = None) -> None:
    """Seed the flood event once (a cache that has events is left as it is)."""
    if store.crisis.listing(include_closed=True):
        return
    now = utcnow().replace(microsecond=0)
    c = store.crisis
    start = now - timedelta(days=3)
    event = c.open(
        "Banjir luapan Sungai Cimanuk",
        "flood",
        [("Garut Kota", "32.05.01"), ("Tarogong Kidul", "32.05.05"), ("Banyuresmi", "32.05.06")],
        at=start,
    )
    c.report(event, "Garut Kota", "32.05.01",
             {"dead": 1, "missing": 2, "injured": 6, "displaced": 310, "displaced_households": 96,
              "houses_flooded": 140, "houses_heavy": 4}, "TRC BPBD", at=start + timedelta(hours=5))  # fmt: skip
    c.report(event, "Tarogong Kidul", "32.05.05",
             {"displaced": 520, "displaced_households": 160, "houses_flooded": 230,
              "houses_moderate": 11, "facilities": 2}, "Camat Tarogong Kidul",
             at=start + timedelta(hours=9))  # fmt: skip
    c.report(event, "Banyuresmi", "32.05.06",
             {"injured": 2, "houses_light": 35, "houses_flooded": 60}, "Relawan Tagana",
             at=start + timedelta(days=1))  # fmt: skip
    c.set_status(event, "tanggap-darurat", "SK Bupati Garut No. 360/Kep.112-BPBD/2026",
                 start + timedelta(hours=6), start + timedelta(days=14),
                 at=start + timedelta(hours=6))  # fmt: skip
    c.need(event, "Perahu karet 6 unit dan pelampung", "bpbd", at=start + timedelta(hours=7))
    c.need(event, "Makanan siap saji dan air bersih untuk 800 jiwa", "dinsos",
           at=start + timedelta(hours=8))  # fmt: skip
    floods = [i for i in store.incidents.listing() if i.category == "flood"][:3]
    if floods:
        c.link(event, "incident", [i.id for i in floods], at=start + timedelta(hours=1))
        for inc, agency in zip(floods, ("bpbd", "dinsos", "pupr"), strict=False):
            if agency in store.agencies.ids() and not inc.assigned_to:
                store.journal.act("assign", inc.id, agency=agency)
        # What the public page and status.json say under the flood: a public update.
        store.journal.act("note.public", floods[0].id, note=PUBLIC_UPDATE)
    if meeting_id:
        c.link(event, "meeting", [meeting_id], at=start + timedelta(days=1))
    yesterday = now - timedelta(days=1)
    c.issue(c.get(event.id), sitrep_doc(store, c.get(event.id), yesterday), yesterday)
    c.report(c.get(event.id), "Garut Kota", "32.05.01",
             {"dead": 2, "missing": 1, "displaced": 365, "displaced_households": 112},
             "TRC BPBD, pendataan ulang", at=now - timedelta(hours=6))  # fmt: skip


def seed_citarum(store: Any) -> None:
    """Kabupaten Bandung's flood for ``demo --province`` (a second regency with an event):
    two kecamatan on the Citarum, tanggap darurat whose decree runs out tonight (the
    province sees it marked ⚠), one need. Seeded once."""
    if store.crisis.listing(include_closed=True):
        return
    now = utcnow().replace(microsecond=0)
    c = store.crisis
    start = now - timedelta(days=2)
    event = c.open("Banjir Sungai Citarum", "flood",
                   [("Baleendah", "32.04.01"), ("Dayeuhkolot", "32.04.02")], at=start)  # fmt: skip
    c.report(event, "Baleendah", "32.04.01",
             {"injured": 3, "displaced": 840, "displaced_households": 251, "houses_flooded": 1320,
              "facilities": 4}, "Pusdalops BPBD", at=start + timedelta(hours=4))  # fmt: skip
    c.report(event, "Dayeuhkolot", "32.04.02",
             {"dead": 1, "displaced": 410, "displaced_households": 118, "houses_flooded": 760},
             "Camat Dayeuhkolot", at=start + timedelta(hours=7))  # fmt: skip
    c.set_status(event, "tanggap-darurat", "SK Bupati Bandung No. 360/Kep.41-BPBD/2026",
                 start + timedelta(hours=5), now + timedelta(hours=20),
                 at=start + timedelta(hours=5))  # fmt: skip
    c.need(event, "Tenda pengungsi dan selimut untuk 1.250 jiwa", None,
           at=start + timedelta(hours=8))  # fmt: skip
