"""Hostile inputs, one class per section: nothing a corpus holds may crash, hang, lose text or run.

Each case is built here (bombs scaled down), and each test asserts the named problem, that
nothing happened that should not (no code run, no worker left), and that the good files
were read as they are alone. The texts are made up for these tests.
"""

from __future__ import annotations

import io
import json
import logging
import os
import pickle
import signal
import stat
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import pytest

from corpus_tools import resultcache
from corpus_tools.corpus import CorpusReadError, corpus_from_texts, read_corpus
from corpus_tools.io import formats, html
from corpus_tools.io.decode import MIN_COMMON_HAN_SHARE, common_han_share, decode_bytes

BODY_A = (
    "丁区召开党史学习教育动员部署会议\n\n"
    "会议强调，要坚持学史明理、学史增信、学史崇德、学史力行，把党史学习教育同解决群众急难愁盼问题结合起来，"
    "推动全区各级党组织和广大党员干部在学习中提高认识、在实践中检验成效。\n\n"
    "会议要求，各街道、各部门要制定具体方案，组织专题学习和宣讲活动，扎实开展“我为群众办实事”实践活动。\n"
)
BODY_B = (
    "戊县扎实推进党史学习教育\n\n"
    "戊县组织党员干部走进乡村和社区，开展党史宣讲三十余场，帮助群众解决道路维修、饮水安全等实际问题，"
    "把党史学习教育成果转化为推动发展的实际行动。\n\n"
    "县委主要负责同志表示，要持续巩固拓展学习教育成果，推动各项工作落地见效。\n"
)


def _good_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "good-a.txt").write_text(BODY_A, encoding="utf-8")
    (folder / "good-b.txt").write_text(BODY_B, encoding="utf-8")
    return folder


def _assert_good_unchanged(corpus) -> None:
    alone = corpus_from_texts({"good-a": BODY_A, "good-b": BODY_B})
    for doc_id in ("good-a", "good-b"):
        assert corpus.texts[doc_id] == alone.texts[doc_id]


# --------------------------------------------------------------------------------------------
# Word documents: broken XML, entity bombs, zip bombs
# --------------------------------------------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _docx(document_xml: str | bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Word package around ``document_xml`` (written by hand: the point is to break it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", _CONTENT_TYPES)
        package.writestr("_rels/.rels", _RELS)
        package.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            package.writestr(name, data)
    return buffer.getvalue()


def _paragraphs_xml(text: str) -> str:
    runs = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in text.split("\n") if line.strip())
    return f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>{runs}</w:body></w:document>'


def test_a_well_formed_hand_made_docx_is_read():
    # the fixture itself works, so the failures below are the damage, not the package
    text, _, _ = formats.docx_to_text(_docx(_paragraphs_xml(BODY_A)))
    assert "丁区召开党史学习教育动员部署会议" in text and "扎实开展" in text


BROKEN_DOCX = {
    # the namespace prefix w is never declared: lxml raises XMLSyntaxError
    "undeclared_prefix": (lambda: _docx("<w:document><w:body><w:p/></w:body></w:document>"), r"not a valid Word \.docx file"),
    "truncated_xml": (lambda: _docx(_paragraphs_xml(BODY_A)[:-40]), r"not a valid Word \.docx file"),
    "entity_bomb": (
        lambda: _docx(
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "学史明理"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>'
        ),
        r"word/document\.xml declares a DTD or entities",
    ),
    "external_entity": (
        lambda: _docx(
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            f'<w:document xmlns:w="{_W}"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>'
        ),
        r"word/document\.xml declares a DTD or entities",
    ),
    "not_a_word_package": (lambda: _docx("<a/>")[:200], r"not a valid Word \.docx file"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_DOCX))
def test_a_broken_docx_is_a_named_problem_that_skip_honours(tmp_path, case):
    build, message = BROKEN_DOCX[case]
    folder = _good_folder(tmp_path / "corpus")
    (folder / "bad.docx").write_bytes(build())
    with pytest.raises(CorpusReadError, match=r"bad\.docx: " + message) as info:
        read_corpus(folder)
    assert [p.code for p in info.value.problems] == ["unreadable"]
    assert "on_error='skip'" in str(info.value) and "-p on_error skip" in str(info.value)
    corpus = read_corpus(folder, on_error="skip")
    assert corpus.doc_ids == ["good-a", "good-b"]
    _assert_good_unchanged(corpus)
    assert corpus.problems[["source", "code", "action"]].values.tolist() == [["bad.docx", "unreadable", "skipped"]]


def test_a_zip_bomb_docx_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    # scaled down: a 1 MiB limit and a part of 4 MiB of zeros (a few kB compressed)
    monkeypatch.setattr(formats, "MAX_DOCX_UNZIPPED_BYTES", 1 << 20)
    data = _docx(_paragraphs_xml(BODY_A), extra={"word/media/image1.bin": b"\0" * (4 << 20)})
    assert len(data) < 64 << 10
    inflated: list[str] = []
    original_open = zipfile.ZipFile.open

    def recording_open(self, name, *args, **kwargs):
        inflated.append(getattr(name, "filename", name))
        return original_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    with pytest.raises(ValueError, match=r"would inflate to 4 MB \(word/media/image1\.bin: 4 MB\), more than the 1 MB"):
        formats.docx_to_text(data)
    assert inflated == []  # decided from the zip's directory alone


# --------------------------------------------------------------------------------------------
# HTML nested deeper than libxml2 reads
# --------------------------------------------------------------------------------------------


def _unclosed_font_page(n: int) -> str:
    paragraphs = "".join(f"<p><font color=red>第{k}段：戊县组织党员干部开展党史宣讲，帮助群众解决实际问题。" for k in range(1, n + 1))
    return f"<html><head><title>戊县新闻</title></head><body>{paragraphs}</body></html>"


def test_unclosed_tags_past_the_depth_limit_lose_no_paragraph(tmp_path):
    page = _unclosed_font_page(400)
    text, _, stats = html.html_to_text(page)
    assert stats["flattened"] == 1
    assert [f"第{k}段" in text for k in range(1, 401)] == [True] * 400  # before: 253–399 were lost
    folder = _good_folder(tmp_path / "corpus")
    (folder / "deep.html").write_text(page, encoding="utf-8")
    corpus = read_corpus(folder, on_error="skip")
    assert corpus.doc_ids == ["deep", "good-a", "good-b"]
    _assert_good_unchanged(corpus)
    assert "第400段" in corpus.texts["deep"]
    problem = corpus.problems.set_index("source").loc["deep.html"]
    assert (problem["code"], problem["action"]) == ("html_too_deep", "kept")
    assert "deep.html: the page is nested deeper than libxml2 reads" in problem["message"]
    log = corpus.quality_log.set_index(["doc_id", "rule"])
    assert ("deep", "html_flattened") in log.index


def test_a_page_nested_past_any_depth_limit_is_read_as_flat_paragraphs():
    page = "<html><body>" + "<div>" * 3000 + BODY_B.replace("\n\n", "</div><div>") + "</div>" * 3000 + "</body></html>"
    text, _, stats = html.html_to_text(page)
    assert stats["flattened"] == 2  # before: "no text found"
    assert "戊县组织党员干部走进乡村和社区" in text and "推动各项工作落地见效" in text


def test_a_shallow_page_is_not_flattened():
    page = "<html><body>" + "".join(f"<p>{line}</p>" for line in BODY_A.split("\n") if line) + "</body></html>"
    _, _, stats = html.html_to_text(page)
    assert stats["flattened"] == 0


# --------------------------------------------------------------------------------------------
# Markdown front matter: a YAML alias bomb
# --------------------------------------------------------------------------------------------


def test_a_yaml_alias_bomb_in_front_matter_is_not_expanded():
    levels = "\n".join(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10))
    page = f"---\nl0: &l0 [学史明理]\n{levels}\n---\n" + BODY_A
    start = time.perf_counter()
    text, front, _ = formats.markdown_to_text(page)  # before: 9**9 strings written out as json
    assert time.perf_counter() - start < 5
    assert front == {}
    assert "丁区召开党史学习教育动员部署会议" in text
    # ordinary front matter still becomes docvars
    _, front, _ = formats.markdown_to_text("---\ntitle: 丁区\ndate: 2021-04-01\n---\n" + BODY_A)
    assert front == {"title": "丁区", "date_published": "2021-04-01"}


# --------------------------------------------------------------------------------------------
# Text in figures is drawn, never interpreted
# --------------------------------------------------------------------------------------------

HOSTILE_LABELS = ["槐荫区$\\frac{}{}$", "第一行\\n第二行\n第三行", "$x^2$ 与 $", "长" * 400]


def test_mathtext_in_labels_is_drawn_as_typed():
    import pandas as pd

    from corpus_tools.textplot.rhetoric import plot_parallel_runs
    from corpus_tools.textplot import barh

    table = pd.DataFrame({"district": HOSTILE_LABELS, "count": [3, 2, 1, 4]})
    fig = barh(table, x="count", y="district")
    fig.savefig(io.BytesIO(), format="png")  # before: ValueError from the mathtext parser
    runs = pd.DataFrame({
        "frame": ["学史…"], "run_length": [4], "n_frame_chars": [2], "unit_id": ["$\\frac{}{}$:p001"],
        "items": [" | ".join(HOSTILE_LABELS)],
    })
    fig = plot_parallel_runs(runs, title="$\\frac{}{}$")
    fig.savefig(io.BytesIO(), format="png")
    assert fig.axes[0].get_title(loc="left") == "$\\frac{}{}$"


# --------------------------------------------------------------------------------------------
# Caches: read-only, refused, tampered
# --------------------------------------------------------------------------------------------

CALLS: list[int] = []


def _square(x: int) -> int:
    CALLS.append(x)
    return x * x


@pytest.fixture
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(resultcache, "_warned", set())


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_result_cache_computes_without_it_and_warns_once(tmp_path, fresh_warnings):
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o500)
    CALLS.clear()
    with pytest.warns(RuntimeWarning, match="computing without the cache") as record:
        square = resultcache.cached(_square, folder)
        assert square(3) == 9
        square = resultcache.cached(_square, folder)
        assert square(3) == 9
    assert len(record) == 1 and CALLS == [3, 3]


def test_an_unwritable_result_cache_computes_without_it_and_warns_once(tmp_path, fresh_warnings, monkeypatch):
    # as root, a read-only folder is writable: make the probe write fail as a full disk would
    folder = tmp_path / "cache"
    original = Path.write_bytes

    def full(self, data):
        if self.name.startswith(".probe-"):
            raise OSError(28, "No space left on device", str(self))
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    CALLS.clear()
    with pytest.warns(RuntimeWarning, match=r"cannot be used .*No space left on device") as record:
        for _ in range(2):
            assert resultcache.cached(_square, folder)(4) == 16
    assert len(record) == 1 and CALLS == [4, 4]


def test_a_result_cache_others_can_write_to_is_refused(tmp_path, fresh_warnings):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    CALLS.clear()
    with pytest.warns(RuntimeWarning, match=r"writable by other users .*chmod go-w"):
        square = resultcache.cached(_square, folder)
    assert square is _square
    assert not (folder / resultcache.KEY_FILE).exists()


def test_the_key_is_private_and_a_readable_key_is_refused(tmp_path, fresh_warnings):
    folder = tmp_path / "cache"
    resultcache.cached(_square, folder)(2)
    key = folder / resultcache.KEY_FILE
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and stat.S_IMODE(key.stat().st_mode) == 0o600
    key.chmod(0o644)
    with pytest.warns(RuntimeWarning, match="readable or writable by other users"):
        assert resultcache.cached(_square, folder) is _square


class _Planted:
    """Unpickling this runs code: it writes the marker file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path(self.marker).write_text, ("code ran",))


def test_a_planted_result_file_is_never_unpickled(tmp_path, fresh_warnings):
    folder = tmp_path / "cache"
    CALLS.clear()
    assert resultcache.cached(_square, folder)(5) == 25
    (stored,) = folder.rglob("output.pkl")
    marker = tmp_path / "pwned"
    planted = pickle.dumps(_Planted(str(marker)))
    for forged in (planted, stored.read_bytes()[:32] + planted):  # bare, and behind the old tag
        stored.write_bytes(forged)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joblib reports the refused file, then recomputes
            assert resultcache.cached(_square, folder)(5) == 25
        assert not marker.exists()
    assert CALLS == [5, 5, 5]
    # the recomputed result was stored, signed, and is used again
    assert resultcache.cached(_square, folder)(5) == 25 and CALLS == [5, 5, 5]


def test_a_result_moved_from_another_entry_is_refused(tmp_path, fresh_warnings):
    folder = tmp_path / "cache"
    CALLS.clear()
    square = resultcache.cached(_square, folder)
    square(6), square(7)
    six, seven = sorted(folder.rglob("output.pkl"), key=lambda p: p.parent.name)
    six.write_bytes(seven.read_bytes())  # a valid file, but another call's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert sorted([square(6), square(7)]) == [36, 49]
    assert sorted(CALLS) == [6, 6, 7] or sorted(CALLS) == [6, 7, 7]


# --------------------------------------------------------------------------------------------
# Worker processes end with their parent; leftovers of killed runs are removed
# --------------------------------------------------------------------------------------------

_ORPHAN_SCRIPT = """
import multiprocessing, os, sys, time
from corpus_tools.parallel import worker_pool

if __name__ == "__main__":
    pool = worker_pool(2, multiprocessing.get_context("spawn"))
    futures = [pool.submit(os.getpid) for _ in range(8)]
    pids = sorted({f.result() for f in futures})
    blocked = [pool.submit(time.sleep, 120) for _ in range(2)]
    print(" ".join(map(str, pids)), flush=True)
    time.sleep(120)
"""


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kill -9 semantics checked on Linux")
def test_workers_exit_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "orphans.py"
    script.write_text(_ORPHAN_SCRIPT, encoding="utf-8")
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1]
    )
    try:
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) >= 1 and all(_alive(pid) for pid in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)]  # before: blocked forever
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in workers if "workers" in locals() else []:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.slow  # two spawned workers load the segmenter: about 30 s on two cores
def test_every_pool_of_stream_dtm_ends_with_its_parent(monkeypatch):
    import corpus_tools.parallel as parallel
    from corpus_tools.streaming import stream_dtm

    initializers = []
    original = parallel.ProcessPoolExecutor

    class Recording(original):
        def __init__(self, *args, **kwargs):
            initializers.append(kwargs.get("initializer"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Recording)
    result = stream_dtm({"a": BODY_A, "b": BODY_B}, n_jobs=2, progress=False, chunk_size=1)
    assert result.n_docs == 2
    assert initializers == [parallel._start_worker]


def test_a_killed_streams_staging_folder_is_removed_by_the_next(tmp_path):
    from corpus_tools.streaming import stream_dtm

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "dtm"
    stale = tmp_path / ".dtm.partial-abc123"
    live = tmp_path / ".dtm.partial-def456"
    for folder, pid in ((stale, dead.pid), (live, os.getpid())):
        (folder / ".work").mkdir(parents=True)
        import socket

        import psutil

        started = psutil.Process(pid).create_time() if pid == os.getpid() else 0.0
        owner = {"pid": pid, "host": socket.gethostname(), "started": started}
        (folder / ".work" / "owner.json").write_text(json.dumps(owner), encoding="utf-8")
    stream_dtm({"a": BODY_A}, out_dir=out, progress=False)
    assert not stale.exists()  # its process is gone
    assert live.exists()  # a running process's work is left alone
    assert (out / "matrix.npz").exists() or any(out.iterdir())


# --------------------------------------------------------------------------------------------
# Encodings: mojibake is switched or named
# --------------------------------------------------------------------------------------------


def test_gbk_bytes_labelled_big5_are_decoded_by_their_characters(tmp_path):
    # GBK bytes that also decode strictly as Big5 (cp950): choose characters that do
    text = "".join(ch for ch in BODY_A if _both(ch)) * 3
    data = text.encode("gbk")
    as_big5 = data.decode("cp950")
    assert common_han_share(as_big5)[0] < MIN_COMMON_HAN_SHARE < common_han_share(text)[0]
    decoded = decode_bytes(data, name="page.html", hint="big5")
    assert (decoded.text, decoded.encoding, decoded.method) == (text, "gb18030", "character-statistics")
    assert "as cp950 (by hint) only" in decoded.notes[-1]


def test_mojibake_that_no_candidate_repairs_is_named_with_the_encodings_tried(tmp_path, caplog):
    text = "".join(ch for ch in BODY_A if _both(ch)) * 3
    with caplog.at_level(logging.WARNING, logger="corpus_tools"):
        decoded = decode_bytes(text.encode("gbk"), name="x.txt", encoding="cp950")
    assert decoded.suspect.startswith("x.txt: the text decoded as cp950 (encodings tried: cp950) looks like mojibake")
    assert decoded.suspect in caplog.text
    folder = _good_folder(tmp_path / "corpus")
    (folder / "x.txt").write_bytes(text.encode("gbk"))
    corpus = read_corpus(folder, encoding="cp950", min_han_chars=10, on_error="skip")
    log = corpus.quality_log.set_index(["doc_id", "rule"])
    assert "looks like mojibake" in log.loc[("x", "suspect_encoding"), "detail"]


def _both(ch: str) -> bool:
    if ch.isascii():
        return False
    try:
        ch.encode("gbk").decode("cp950")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return False
    return True


# --------------------------------------------------------------------------------------------
# Tables and manifests: problems reported with their real cause
# --------------------------------------------------------------------------------------------


def test_a_tsv_row_with_an_extra_field_is_that_rows_problem(tmp_path):
    body_a, body_b = (b.replace("\n", " ") for b in (BODY_A, BODY_B))
    rows = ["doc_id\ttitle\ttext", f"r1\t标题一\t补充说明\t{body_a}", f"r2\t标题二\t{body_b}"]
    (tmp_path / "t.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"t\.tsv, row 1 \(line 2\): the row has 4 fields but the header has 3: a tab"):
        read_corpus(tmp_path)  # before: "not Chinese", every column shifted by one
    corpus = read_corpus(tmp_path, on_error="skip")
    assert corpus.doc_ids == ["r2"]
    assert corpus.docvars.loc["r2", "title"] == "标题二"
    assert corpus.problems[["source", "code"]].values.tolist() == [["t.tsv#1", "malformed_table"]]


def test_a_duplicate_doc_id_in_the_manifest_is_reported_as_such(tmp_path):
    folder = _good_folder(tmp_path / "corpus")
    (folder / "metadata.csv").write_text("file,doc_id\ngood-a.txt,same\ngood-b.txt,same\n", encoding="utf-8")
    with pytest.raises(CorpusReadError) as info:
        read_corpus(folder)
    assert [p.code for p in info.value.problems] == ["duplicate_doc_id"]  # before: + "no row in the manifest"
    assert "doc_id 'same' of file 'good-b.txt' already belongs to row 1 (good-a.txt)" in str(info.value)
    corpus = read_corpus(folder, on_error="skip")
    assert corpus.doc_ids == ["same", "good-b"]
    assert "no row in the manifest" not in " ".join(corpus.problems["message"])


def test_a_manifest_row_with_a_stray_comma_is_that_rows_problem(tmp_path):
    folder = _good_folder(tmp_path / "corpus")
    (folder / "metadata.csv").write_text(
        "file,doc_id,district\ngood-a.txt,a,甲区,多余\ngood-b.txt,b,乙区\n", encoding="utf-8"
    )
    corpus = read_corpus(folder, on_error="skip")
    # before: pandas took the first column for an index and shifted every value by one
    assert corpus.docvars.loc["b", "district"] == "乙区"
    problems = corpus.problems.set_index("source")
    assert problems.loc["metadata.csv#1", "code"] == "malformed_table"
    assert "row 1 (line 2): the row has 4 fields but the header has 3" in problems.loc["metadata.csv#1", "message"]


# --------------------------------------------------------------------------------------------
# Table columns: common names become docvars, and the log says so
# --------------------------------------------------------------------------------------------


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_common_columns_become_docvars(tmp_path, caplog):
    body_a, body_b = (b.replace("\n", " ") for b in (BODY_A, BODY_B))
    table = _csv(
        tmp_path / "export.csv",
        ["id", "Date", "source", "标题", "省", "市", "区县", "content"],
        [["n1", "2021-04-01", "丁区融媒体中心", "丁区召开会议", "山东省", "济南市", "槐荫区", body_a],
         ["n2", "2021-05-02", "戊县新闻网", "戊县推进学习", "山东省", "济南市", "历城区", body_b]],
    )
    with caplog.at_level(logging.INFO, logger="corpus_tools.io"):
        corpus = read_corpus(table)
    assert corpus.doc_ids == ["n1", "n2"]
    row = corpus.docvars.loc["n1"]
    assert (row["date_published"], row["outlet"], row["title"], row["province"], row["city"], row["district"]) == (
        "2021-04-01", "丁区融媒体中心", "丁区召开会议", "山东省", "济南市", "槐荫区"
    )
    assert row["locality_evidence"] == "table column '省'"  # where the stated locality came from
    assert row["source"] == "export.csv#1"  # where it was read from, as for every document
    assert "table_source" not in corpus.docvars
    for said in ("text from column 'content'", "doc_id from column 'id'", "'Date' → date_published", "'source' → outlet"):
        assert said in caplog.text


def test_a_source_column_beside_an_outlet_is_kept_and_said(tmp_path, caplog):
    table = _csv(tmp_path / "t.csv", ["outlet", "source", "text"], [["丁区报", "转载", BODY_A.replace("\n", " ")]])
    with caplog.at_level(logging.INFO, logger="corpus_tools.io"):
        corpus = read_corpus(table)
    assert corpus.docvars.loc["t-1", ["outlet", "table_source"]].tolist() == ["丁区报", "转载"]
    assert "'source' → table_source (source is set by reading" in caplog.text


def test_ids_and_urls_become_doc_ids_only_when_unique(tmp_path, caplog):
    body = BODY_A.replace("\n", " ")
    table = _csv(tmp_path / "t.csv", ["id", "url", "text"], [
        ["1", "http://www.example.gov.cn/xw/2021/0401.html", body],
        ["1", "http://www.example.gov.cn/xw/2021/0402.html", body],
    ])
    with caplog.at_level(logging.INFO, logger="corpus_tools.io"):
        corpus = read_corpus(table)
    assert corpus.doc_ids == ["www-example-gov-cn-xw-2021-0401", "www-example-gov-cn-xw-2021-0402"]
    assert "column 'id' not used for doc_ids (1 repeated values)" in caplog.text
    assert corpus.docvars["url"].tolist()[0] == "http://www.example.gov.cn/xw/2021/0401.html"
    # with map_columns=False nothing is guessed
    plain = read_corpus(table, map_columns=False)
    assert plain.doc_ids == ["t-1", "t-2"]


def test_an_explicit_column_mapping_and_its_errors(tmp_path):
    table = _csv(tmp_path / "t.csv", ["发布单位", "text"], [["丁区委宣传部", BODY_A.replace("\n", " ")]])
    corpus = read_corpus(table, columns={"发布单位": "outlet"})
    assert corpus.docvars.loc["t-1", "outlet"] == "丁区委宣传部"
    with pytest.raises(ValueError, match=r"read_corpus\(text_column='发布单位'\) or dangshi-reports --text-column 发布单位"):
        read_corpus(table, columns={"发布单位": "text"})
    with pytest.raises(CorpusReadError, match=r"no docvar column '单位'.*dangshi-reports --column NAME=DOCVAR"):
        read_corpus(table, columns={"单位": "outlet"})


def test_messages_name_options_in_both_forms(tmp_path):
    (tmp_path / "short.txt").write_text("学史明理，学史增信。", encoding="utf-8")
    with pytest.raises(CorpusReadError, match=r"read_corpus\(min_han_chars=8\) or dangshi-reports --min-han-chars 8"):
        read_corpus(tmp_path)


# --------------------------------------------------------------------------------------------
# All of them beside the seeds: the seeds read exactly as alone
# --------------------------------------------------------------------------------------------


def test_hostile_files_beside_the_seeds_leave_the_seeds_unchanged(tmp_path, seeds_dir, seeds):
    import shutil

    import pandas as pd

    folder = tmp_path / "corpus"
    shutil.copytree(seeds_dir, folder)
    (folder / "bomb.docx").write_bytes(BROKEN_DOCX["entity_bomb"][0]())
    (folder / "broken.docx").write_bytes(BROKEN_DOCX["undeclared_prefix"][0]())
    (folder / "deep.html").write_text(_unclosed_font_page(300), encoding="utf-8")
    (folder / "math.txt").write_text(BODY_A.replace("会议强调", "槐荫区$\\frac{}{}$会议强调"), encoding="utf-8")
    (folder / "rows.tsv").write_text(
        "title\ttext\n标题\t多余\t" + BODY_B.replace("\n", " ") + "\n", encoding="utf-8"
    )
    (folder / "formula.csv").write_text(
        "title,text\n=HYPERLINK(\"http://x\"),\"" + BODY_B.replace("\n", " ") + "\"\n", encoding="utf-8"
    )
    corpus = read_corpus(folder, on_error="skip")
    ids = list(seeds.doc_ids)
    assert corpus.doc_ids[: len(ids)] == ids
    pd.testing.assert_series_equal(corpus.texts.loc[ids], seeds.texts)
    # the other files bring docvars of their own (a page's title …); the seeds' are as alone
    pd.testing.assert_frame_equal(corpus.docvars.loc[ids, list(seeds.docvars.columns)], seeds.docvars)
    problems = corpus.problems.set_index("source")["code"].to_dict()
    assert problems["bomb.docx"] == problems["broken.docx"] == "unreadable"
    assert problems["rows.tsv#1"] == "malformed_table"
    assert problems["deep.html"] == "file_without_manifest_row" or "deep" in corpus.doc_ids
    assert corpus.docvars.loc["formula-1", "title"] == '=HYPERLINK("http://x")'  # data, kept as written
