"""The console's save-to-file key goes through the same guard as ``--out``: a handover
saved where the cache or the config lives is refused with a message, and nothing is lost."""

from __future__ import annotations

from tests.console.conftest import NOW, until


async def test_the_handover_is_never_saved_over_the_config(
    make_app, console_config, tmp_path, monkeypatch
):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert console_config.path is not None
    config_text = console_config.path.read_text()
    stamp = NOW.astimezone(console_config.site.tz).strftime("%Y%m%d-%H%M")
    trap = home / f"handover-3205-{stamp}.txt"  # the name `w` picks, pointing at the config
    trap.symlink_to(console_config.path)
    app = make_app(lang="en")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("H")
        await pilot.pause()
        await pilot.press("w")

        def said() -> str:
            return " ".join(str(n.message) for n in app._notifications)

        assert await until(pilot, lambda: "Not saved" in said())
        assert "is the config file" in said()
    assert console_config.path.read_text() == config_text
    assert trap.is_symlink()
