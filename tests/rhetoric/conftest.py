"""Fixtures of the rhetoric tests: the seed reports grouped by district and what is found in them."""

from __future__ import annotations

import pytest

from corpus_tools import rhetoric
from corpus_tools.corpus.metadata import group_labels


@pytest.fixture(scope="module")
def seeds_grouped(seeds):
    return seeds.assign_docvars(group=group_labels(seeds.docvars, "district"))


@pytest.fixture(scope="module")
def seed_matches(seeds):
    return rhetoric.match_registry(seeds)


@pytest.fixture(scope="module")
def seed_formulas(seeds):
    return rhetoric.numbered_formulas(seeds)


@pytest.fixture(scope="module")
def seed_runs(seeds):
    return rhetoric.parallel_runs(seeds)
