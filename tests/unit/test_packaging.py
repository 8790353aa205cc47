"""The wheel carries everything a user who only ran `pip install` needs (run outside the repo)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_installs_and_runs_the_demo_outside_the_repo(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("cc_console-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert (
        "cc_console/data/i18n/id.json" in names and "cc_console/data/demo/kecamatan.json" in names
    )
    assert any(n.startswith("widgets/") for n in names)
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        timeout=300,
    )
    # The installed wheel first, then the dependencies of this environment; not the checkout.
    deps = sysconfig.get_paths()["purelib"]
    env = {**os.environ, "PYTHONPATH": f"{target}{os.pathsep}{deps}", "PYTHONSAFEPATH": "1"}
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path[:0] = sys.argv[1].split(':'); "
            "import cc_console, cc_console.resources as r; print(cc_console.__file__); "
            "print(r.data_dir()); from cc_console.cli import main; sys.argv = ['cc-console', 'demo', '--no-tui']; main()",
            env["PYTHONPATH"],
        ],
        capture_output=True,
        text=True,
        cwd=outside,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    first, data = proc.stdout.splitlines()[:2]
    assert first.startswith(str(target)) and data.startswith(str(target))
    assert "active incidents, 30 agencies" in proc.stdout
