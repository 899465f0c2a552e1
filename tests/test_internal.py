"""The stage an unexpected exception is reported in, read off the module that raised it."""

from __future__ import annotations

from pathlib import Path

import pytest

import casepress
from casepress.core import internal

PACKAGE = Path(casepress.__file__).parent


@pytest.mark.parametrize(("module", "stage"), [
    ("load/source.py", "load"),
    ("check/timeline.py", "validate"),
    ("check/deid/names.py", "de-identification"),
    ("check/images/raster.py", "strip figures"),
    ("check/care_lints.py", "validate"),
    ("build/collection.py", "index"),
    ("model/care.py", "checklist"),
    ("outputs/pdf.py", "PDF"),
    ("outputs/jats/body.py", "JATS"),
    ("outputs/html_writer.py", "render HTML"),
    ("build/pipeline.py", "build"),
    ("cli.py", "command"),
])
def test_a_module_takes_the_stage_of_its_longest_listed_prefix(module: str, stage: str) -> None:
    assert internal._stage_of_file(str(PACKAGE / module)) == stage


def test_helpers_and_foreign_code_take_the_callers_stage() -> None:
    assert internal._stage_of_file(str(PACKAGE / "core/confine.py")) is None
    assert internal._stage_of_file(__file__) is None
