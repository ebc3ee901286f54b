"""Tests for corpus_tools.memory.available_memory_mb: how much memory there is to use."""

from __future__ import annotations

import psutil
import pytest

from corpus_tools import memory


def _cgroup(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="ascii")
    return root


def test_without_a_container_limit_the_machine_s_available_memory_counts(tmp_path):
    machine = psutil.virtual_memory().available / 2**20
    # No cgroup files, or a v2 group without a limit ("max").
    for root in (tmp_path / "none", _cgroup(tmp_path / "v2", {"memory.max": "max\n", "memory.current": "123\n"})):
        assert memory.available_memory_mb(cgroup_root=root) == pytest.approx(machine, rel=0.05)


def test_a_container_limit_caps_the_available_memory(tmp_path):
    # cgroup v2: a 1 GiB limit of which 256 MiB are used leaves 768 MiB.
    v2 = _cgroup(tmp_path / "v2", {"memory.max": f"{2**30}\n", "memory.current": f"{256 * 2**20}\n"})
    assert memory.available_memory_mb(cgroup_root=v2) == min(768.0, psutil.virtual_memory().available / 2**20)
    # cgroup v1, and a group over its limit (nothing left, not a negative figure).
    v1 = _cgroup(tmp_path / "v1", {"memory/memory.limit_in_bytes": f"{2**30}\n",
                                   "memory/memory.usage_in_bytes": f"{2**31}\n"})
    assert memory.available_memory_mb(cgroup_root=v1) == 0.0
    # v1 without a limit writes a number near 2**63: no cap.
    unlimited = _cgroup(tmp_path / "v1u", {"memory/memory.limit_in_bytes": "9223372036854771712\n",
                                          "memory/memory.usage_in_bytes": "1000\n"})
    assert memory.available_memory_mb(cgroup_root=unlimited) == pytest.approx(
        psutil.virtual_memory().available / 2**20, rel=0.05)



def test_resident_memory_of_a_process_and_its_children():
    import os
    import subprocess
    import sys

    # A child holding 200 MB it has written to (resident), until told to stop.
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys\nheld = bytearray(200 * 2**20)\n"
         "for i in range(0, len(held), 4096):\n    held[i] = 1\nprint('ready', flush=True)\nsys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout.readline().strip() == "ready"
        assert memory.resident_mb(child.pid) > 200
        alone, with_children = memory.resident_mb(), memory.resident_mb(os.getpid(), children=True)
        assert with_children - alone > 200
    finally:
        child.communicate("")
    assert memory.resident_mb(child.pid) is None  # ended (and reaped)
