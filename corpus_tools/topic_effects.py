"""Moved to :mod:`corpus_tools.topics.effects`; this name keeps working for one release."""
from corpus_tools.compat import moved_module

moved_module(__name__, "corpus_tools.topics.effects")
