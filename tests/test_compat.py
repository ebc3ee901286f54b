"""Old names keep working for one release and say what replaced them."""

import importlib
import sys
import warnings

import pytest

from corpus_tools.compat import moved_module, renamed_parameters


@renamed_parameters(seeds="random_state", top="n")
def _fit(data, *, random_state=0, n=10):
    return data, random_state, n


def test_old_keyword_is_forwarded_with_a_future_warning():
    with pytest.warns(FutureWarning, match=r"'seeds' is renamed 'random_state'"):
        assert _fit("x", seeds=5) == ("x", 5, 10)


def test_new_keyword_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _fit("x", random_state=3, n=2) == ("x", 3, 2)


def test_both_names_is_an_error_naming_both():
    with pytest.raises(TypeError, match=r"'top'.*'n'"):
        _fit("x", top=1, n=2)


def test_renaming_to_a_missing_parameter_is_caught_at_definition():
    with pytest.raises(TypeError, match="no parameter 'nope'"):
        renamed_parameters(old="nope")(lambda *, new=1: new)


def test_moved_module_is_the_same_object_and_warns_outside_callers(tmp_path, monkeypatch):
    package = tmp_path / "oldpkg_for_compat_test"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "old.py").write_text(
        "from corpus_tools.compat import moved_module\nmoved_module(__name__, 'json')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.warns(FutureWarning, match="oldpkg_for_compat_test.old has moved to json"):
        old = importlib.import_module("oldpkg_for_compat_test.old")
    import json

    assert old is json
    assert sys.modules["oldpkg_for_compat_test.old"] is json
    monkeypatch.delitem(sys.modules, "oldpkg_for_compat_test.old")
    monkeypatch.delitem(sys.modules, "oldpkg_for_compat_test")


def test_moved_module_is_silent_for_the_package_itself():
    # The package's own modules may still use an old path while a rename is in progress:
    # that must not print warnings into users' reports.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        globals_of_package = {"__name__": "corpus_tools.something"}
        exec("from corpus_tools.compat import moved_module\nmoved_module('corpus_tools._compat_probe', 'json')",
             globals_of_package)
    assert sys.modules.pop("corpus_tools._compat_probe") is sys.modules["json"]
