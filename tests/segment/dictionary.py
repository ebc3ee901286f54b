"""jieba's main dictionary as jieba reads it, for tests that reason about its frequencies."""

from __future__ import annotations

from pathlib import Path


def jieba_main_dictionary() -> tuple[dict[str, int], int]:
    """Return ``(frequency per word, total)`` of jieba's ``dict.txt``.

    Read the way jieba's ``gen_pfdict`` does: the last frequency of a word wins, and the total
    counts every line.
    """
    import jieba

    freq: dict[str, int] = {}
    total = 0
    for line in (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8").splitlines():
        word, count, _ = line.split(" ")
        freq[word] = int(count)
        total += int(count)
    return freq, total
