"""Working in JupyterLab (``make lab``) leaves the notebooks in git untouched.

``make lab`` opens copies in ``my-notebooks/`` (``make lab-copy``); this runs a copy the way
JupyterLab would save it, with its outputs, and checks that ``notebooks/`` did not change and holds
no outputs or kernel- or machine-specific metadata.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Notebook-level metadata a committed notebook may carry: which kernel to use, nothing recorded
#: by a particular run (language version, widget state, papermill's timings).
ALLOWED_NOTEBOOK_METADATA = {"kernelspec", "language_info"}
ALLOWED_CELL_METADATA = {"tags"}


def _digests() -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_notebooks_carry_no_run_specific_metadata(path):
    nb = nbformat.read(path, as_version=4)
    assert set(nb.metadata) <= ALLOWED_NOTEBOOK_METADATA, f"{path.name}: {sorted(nb.metadata)}"
    assert set(nb.metadata.get("language_info", {})) <= {"name"}, f"{path.name}: language_info records a run"
    for index, cell in enumerate(nb.cells):
        assert set(cell.metadata) <= ALLOWED_CELL_METADATA, f"{path.name} cell {index}: {sorted(cell.metadata)}"


def test_lab_copy_makes_copies_once_and_keeps_edits(tmp_path):
    lab_dir = tmp_path / "lab"
    subprocess.run(["make", "-s", "lab-copy", f"LAB_DIR={lab_dir}"], cwd=ROOT, check=True, capture_output=True)
    assert sorted(p.name for p in lab_dir.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    edited = lab_dir / NOTEBOOKS[0].name
    edited.write_text(edited.read_text(encoding="utf-8").replace("Corpus", "My corpus", 1), encoding="utf-8")
    subprocess.run(["make", "-s", "lab-copy", f"LAB_DIR={lab_dir}"], cwd=ROOT, check=True, capture_output=True)
    assert "My corpus" in edited.read_text(encoding="utf-8")


@pytest.mark.slow
def test_running_a_lab_copy_leaves_git_notebooks_clean(tmp_path):
    import papermill

    before = _digests()
    lab_dir = tmp_path / "lab"
    subprocess.run(["make", "-s", "lab-copy", f"LAB_DIR={lab_dir}"], cwd=ROOT, check=True, capture_output=True)
    copy = lab_dir / "00-corpus-overview.ipynb"
    # As JupyterLab saves a notebook after "run all": outputs written into the file itself.
    papermill.execute_notebook(
        str(copy), str(copy), kernel_name="dangshi-corpus", cwd=str(lab_dir), progress_bar=False,
        parameters={"output_dir": str(tmp_path / "out")},
    )
    assert any(cell.get("outputs") for cell in nbformat.read(copy, as_version=4).cells)
    assert _digests() == before
