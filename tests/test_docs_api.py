"""docs/api.md and the API's docstrings are run as they are written: the examples a notebook user copies must work."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import kg
import kg.api

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("target", ["docs/api.md"])
def test_doc_examples_run(target):
    result = doctest.testfile(str(REPO / target), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 10 and result.failed == 0


@pytest.mark.parametrize("module", [kg, kg.api])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
