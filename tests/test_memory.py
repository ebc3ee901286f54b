"""Tests for corpus_tools.memory.available_memory_mb: how much memory there is to use."""

from __future__ import annotations

import psutil
import pytest

from corpus_tools import memory


def _cgroup(root, files, groups="0::/\n"):
    """A constructed cgroup tree under `root` and the /proc/self/cgroup that places the process in it."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="ascii")
    root.mkdir(parents=True, exist_ok=True)
    proc = root / "proc-self-cgroup"
    proc.write_text(groups, encoding="ascii")
    return {"cgroup_root": root, "proc_cgroup": proc}


def _machine_mb():
    return psutil.virtual_memory().available / 2**20


def test_without_a_container_limit_the_machine_s_available_memory_counts(tmp_path):
    # No cgroup files, or a v2 group without a limit ("max").
    for where in (_cgroup(tmp_path / "none", {}),
                  _cgroup(tmp_path / "v2", {"memory.max": "max\n", "memory.current": "123\n"})):
        assert memory.available_memory_mb(**where) == pytest.approx(_machine_mb(), rel=0.05)


def test_a_limit_on_the_process_s_group_or_an_ancestor_caps_the_available_memory(tmp_path):
    gib, mib = 2**30, 2**20
    # cgroup v2, the container's own root: a 1 GiB limit of which 256 MiB are used leaves 768 MiB.
    v2 = _cgroup(tmp_path / "v2", {"memory.max": f"{gib}\n", "memory.current": f"{256 * mib}\n"})
    assert memory.available_memory_mb(**v2) == min(768.0, _machine_mb())
    # cgroup v2, a systemd unit two levels down: its parent's limit binds it too, the tightest wins.
    nested = _cgroup(tmp_path / "nested", {
        "jobs.slice/memory.max": f"{2 * gib}\n", "jobs.slice/memory.current": f"{1536 * mib}\n",
        "jobs.slice/run.scope/memory.max": "max\n", "jobs.slice/run.scope/memory.current": f"{100 * mib}\n",
    }, groups="0::/jobs.slice/run.scope\n")
    assert memory.available_memory_mb(**nested) == min(512.0, _machine_mb())
    # cgroup v1 (a memory controller line among others), over its limit: nothing left, not a
    # negative figure.
    v1 = _cgroup(tmp_path / "v1", {
        "memory/batch/job_7/memory.limit_in_bytes": f"{gib}\n",
        "memory/batch/job_7/memory.usage_in_bytes": f"{2 * gib}\n",
    }, groups="9:name=systemd:/\n4:memory:/batch/job_7\n1:cpu:/\n")
    assert memory.available_memory_mb(**v1) == 0.0
    # v1 without a limit writes a number near 2**63: no cap.
    unlimited = _cgroup(tmp_path / "v1u", {"memory/memory.limit_in_bytes": "9223372036854771712\n",
                                          "memory/memory.usage_in_bytes": "1000\n"},
                        groups="4:memory:/\n")
    assert memory.available_memory_mb(**unlimited) == pytest.approx(_machine_mb(), rel=0.05)


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
