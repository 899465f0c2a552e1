"""The judges judge: the DTD validator rejects invalid JATS and accepts valid JATS; pandoc reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from .judges import JATS_PUBLIC_ID, jats_errors, pandoc_text

pytest.importorskip("pypandoc")

_DOCTYPE = f'<!DOCTYPE article PUBLIC "{JATS_PUBLIC_ID}" "JATS-journalpublishing1.dtd">'
_ARTICLE = """<article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="case-report" dtd-version="1.1">
<front><journal-meta><journal-id journal-id-type="publisher-id">x</journal-id><issn>1234-5678</issn></journal-meta>
<article-meta><title-group><article-title>A case</article-title></title-group><pub-date><year>2024</year></pub-date>{extra}</article-meta></front>
<body><sec><title>Case description</title><p>A woman of 47.</p></sec></body></article>"""


def test_valid_minimal_article_passes() -> None:
    assert jats_errors((_DOCTYPE + _ARTICLE.format(extra="")).encode()) == []


def test_misplaced_and_unknown_elements_are_reported() -> None:
    # <kwd> outside a <kwd-group>, and an element the DTD does not know.
    errors = jats_errors((_DOCTYPE + _ARTICLE.format(extra="<kwd>DCIS</kwd><bogus/>")).encode())
    assert any("kwd" in e for e in errors) and any("bogus" in e for e in errors)


def test_missing_required_child_is_reported() -> None:
    broken = _ARTICLE.replace("<title-group><article-title>A case</article-title></title-group>", "<title-group/>")
    errors = jats_errors((_DOCTYPE + broken.format(extra="")).encode())
    assert any("title-group" in e for e in errors)


def test_not_well_formed_is_one_error() -> None:
    assert jats_errors(b"<article><front>")[0].startswith("not well-formed")


def test_pandoc_reads_jats_back(tmp_path: Path) -> None:
    text = pandoc_text((_DOCTYPE + _ARTICLE.format(extra="")).encode(), "jats", tmp_path)
    assert "A woman of 47." in text and "Case description" in text
