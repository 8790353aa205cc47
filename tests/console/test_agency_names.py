"""The demo's agencies at 80, 120 and 200 columns: no two alike, no status word cut."""

from __future__ import annotations

import pytest

from cc_console.app import CcConsoleApp
from cc_console.config import load_config
from cc_console.demo.server import DemoServer
from cc_console.demo.session import demo_config_text
from cc_console.poll import Refresher
from cc_console.store import Store
from widgets.agencies_pane import AgencySource


@pytest.fixture(scope="module")
def demo_cache(tmp_path_factory):
    """A cache filled by a real refresh of the demo's feeds on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("demo")
    with DemoServer() as server:
        path = folder / "config.toml"
        path.write_text(demo_config_text(server.base, folder / "demo.db"), encoding="utf-8")
        cfg = load_config(path)
        store = Store(cfg.cache.path)

        async def refresh() -> None:
            refresher = Refresher(cfg, store)
            try:
                await refresher.refresh([s for s in cfg.sources if s.kind == "agencies"])
            finally:
                await refresher.aclose()

        import asyncio

        asyncio.run(refresh())
        store.close()
    return cfg


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("columns", [80, 120, 200])
async def test_demo_agencies_render_apart_and_whole(demo_cache, lang, columns):
    store = Store(demo_cache.cache.path)
    app = CcConsoleApp(demo_cache, store, lang=lang, live=False)
    async with app.run_test(size=(columns, 40)) as pilot:
        await pilot.press("1")
        lst = app.screen.agencies.list
        source = lst.source
        assert isinstance(source, AgencySource)
        width = lst.size.width
        assert lst.total >= 30 and width > 20
        status_w, name_w, *_ = source.columns(width)
        seen: dict[str, str] = {}
        for index in range(lst.total):
            row = lst.row(index)
            line = source.render(row, width)
            line.truncate(width, pad=True)
            plain = line.plain
            status, name = plain[:status_w], plain[status_w + 1 : status_w + 1 + name_w].rstrip()
            word = app.ctx.t.word("agency", row.status)
            assert word in status and "…" not in status, f"status cut at {width}: {status!r}"
            assert seen.setdefault(name, row.id) == row.id, (
                f"{row.id} and {seen[name]} both show as {name!r} at {width} cells"
            )
    store.close()
