"""Config: strict validation, durations and sizes, paths, defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from cc_console.config import load_config, parse_duration, parse_size
from cc_console.errors import ConfigError

GOOD_SOURCE = (
    'name = "bmkg"\nkind = "incidents"\nformat = "bmkg-gempa"\nurl = "https://x.example/a.json"\n'
)


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90),
        ("5m", 300),
        ("1h", 3600),
        ("1.5h", 5400),
        (30, 30),
        ("250ms", 0.25),
        ("2d", 172800),
    ],
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "5 minutes", "-1s", "0s", True, "1x", None])
def test_bad_durations(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("20MB", 20_000_000),
        ("512KiB", 524288),
        ("1GiB", 1024**3),
        (1000, 1000),
        ("3 mb", 3_000_000),
    ],
)
def test_sizes(text, size):
    assert parse_size(text) == size


def test_sample_config_is_valid():
    cfg = load_config(Path(__file__).parents[2] / "config.toml")
    assert cfg.site.timezone == "Asia/Jakarta" and cfg.site.code == "32.05"
    names = [s.name for s in cfg.sources]
    assert {
        "bmkg-autogempa",
        "bmkg-gempaterkini",
        "bmkg-gempadirasakan",
        "bmkg-nowcast",
        "usgs-4-5-day",
    } <= set(names)
    assert cfg.cache.path == Path(__file__).parents[2] / "cc-console.db"
    assert not cfg.source("demo-laporan").enabled


def test_defaults_and_relative_paths(tmp_path):
    cfg = load_config(write(tmp_path, f'[cache]\npath = "sub/x.db"\n[[sources]]\n{GOOD_SOURCE}'))
    assert cfg.cache.path == tmp_path / "sub" / "x.db"
    (src,) = cfg.sources
    assert (src.interval, src.timeout, src.max_bytes, src.enabled) == (60.0, 10.0, 20_000_000, True)
    assert cfg.site.language == "id"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[site]\ncolour = 1\n", ["[site]", "'colour'"]),
        (
            '[[sources]]\nname = "Bad Name"\nkind = "incidents"\nformat = "cap"\nurl = "https://x/"\n',
            ["'name'"],
        ),
        (f'[[sources]]\n{GOOD_SOURCE}interval = "soon"\n', ["'bmkg'", "'interval'"]),
        (f"[[sources]]\n{GOOD_SOURCE}[[sources]]\n{GOOD_SOURCE}", ["duplicate", "'bmkg'"]),
        (
            '[[sources]]\nname = "a"\nkind = "agenda"\nformat = "cap"\nurl = "https://x/"\n',
            ["cannot feed", "'a'"],
        ),
        (
            '[[sources]]\nname = "a"\nkind = "incidents"\nformat = "rss"\nurl = "https://x/"\n',
            ["unknown format"],
        ),
        ('[[sources]]\nname = "a"\nkind = "incidents"\nformat = "cap"\n', ["'url'", "required"]),
        (
            '[[sources]]\nname = "a"\nkind = "incidents"\nformat = "cap"\nurl = "ftp://x"\n',
            ["'url'"],
        ),
        ("[poll]\nconcurrency = 0\n", ["'concurrency'"]),
        ('[poll]\nmax_bytes = "lots"\n', ["'max_bytes'"]),
        ('[site]\nlanguage = "jv"\n', ["'language'"]),
        ('[keys]\nexplode = "x"\n', ["[keys]", "'explode'"]),
        (f'[[sources]]\n{GOOD_SOURCE}enabled = "yes"\n', ["'enabled'"]),
        (f'[[sources]]\n{GOOD_SOURCE}token_env = "not a var"\n', ["'token_env'"]),
        ("this is = not toml [", ["not valid TOML"]),
        ("sources = 3\n", ["[[sources]]"]),
        ('[serve]\npublic_url = "cc.garutkab.go.id"\n', ["'public_url'"]),
        ('[serve]\npublic_url = "https://x/ y"\n', ["'public_url'"]),
        ("[public]\nemergency = 112\n", ["[public]", "'emergency'"]),
        ('[public]\nemergency = [""]\n', ["'emergency'"]),
        ("[public]\nquake_hours = 0\n", ["'quake_hours'"]),
        ("[public]\nquake_hours = true\n", ["'quake_hours'"]),
        ("[public]\npoint_radius_km = 0\n", ["'point_radius_km'"]),
        ('[public]\npoint_radius_km = "5"\n', ["'point_radius_km'"]),
        ('[public]\nexpires = { flod = "1h" }\n', ["'expires'", "'flod'"]),
        ('[public]\nexpires = { flood = "0s" }\n', ["'expires'", "'flood'"]),
        ('[public]\nexpires = { flood = "90d" }\n', ["'expires'", "'flood'"]),
        ('[public]\ninstructions = { flood = "" }\n', ["'instructions'", "'flood'"]),
        ('[public]\ninstructions = { banjir = "x" }\n', ["'instructions'", "'banjir'"]),
        ("[public]\nmystery = 1\n", ["[public]", "'mystery'"]),
    ],
)
def test_every_mistake_names_file_and_key(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message
    for word in words:
        assert word in message
    assert "\n" not in message


def test_no_config_anywhere_is_an_error_for_refresh(tmp_path, cli):
    r = cli("refresh")
    assert r.code == 2 and "no config file" in r.err


def test_the_public_section_and_its_defaults(tmp_path):
    bare = load_config(write(tmp_path, ""))
    assert bare.public.point_radius_km == 5 and bare.public.quake_hours == 24
    assert bare.public.expires_after("flood") == 12 * 3600 and bare.serve.public_url is None
    cfg = load_config(
        write(
            tmp_path,
            '[serve]\npublic_url = "https://cc.garutkab.go.id/"\n'
            '[public]\nemergency = ["112", " BPBD (0262) 000000 "]\nquake_hours = 6\n'
            'point_radius_km = 2.5\nexpires = { default = "6h", flood = "1d" }\n'
            'instructions = { flood = "Jauhi bantaran sungai." }\n',
        )
    )
    assert cfg.serve.public_url == "https://cc.garutkab.go.id"  # no trailing slash
    assert cfg.public.emergency == ("112", "BPBD (0262) 000000")
    assert (cfg.public.quake_hours, cfg.public.point_radius_km) == (6, 2.5)
    assert cfg.public.expires_after("flood") == 86400
    assert cfg.public.expires_after("fire") == 6 * 3600
    assert cfg.public.instructions == {"flood": "Jauhi bantaran sungai."}
