"""Tests for corpus_tools.reports.provenance: the hashes run.json records."""

from __future__ import annotations

import hashlib
import os

from corpus_tools.reports import provenance


def test_run_json_hashes_no_target_of_a_link_the_reader_refuses(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("学党史 悟思想", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the corpus", encoding="utf-8")
    os.symlink(secret, corpus / "link-out.txt")
    os.symlink(corpus / "a.txt", corpus / "link-in.txt")  # inside: read, so hashed
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "b.txt").write_text("办实事", encoding="utf-8")
    os.symlink(tmp_path / "elsewhere", corpus / "linked-folder")  # the reader does not follow it

    hashes = provenance.file_hashes(corpus)

    digest = hashlib.sha256("学党史 悟思想".encode()).hexdigest()
    assert hashes == {"a.txt": digest, "link-in.txt": digest}
    assert provenance.file_hashes(corpus / "a.txt") == {"a.txt": digest}  # a single table of articles
