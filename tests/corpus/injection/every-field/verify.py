"""The injected markup arrives as text: no script, no event handler, no javascript: link, no evaluated Jinja."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path


class _Page(HTMLParser):
    """Collects what a browser would act on: elements, attributes, script bodies, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)


def verify(output: Path) -> None:
    pages = sorted(output.glob("*.html"))
    assert pages, f"no HTML in {output}"
    for page in pages:
        parsed = _Page()
        parsed.feed(page.read_text(encoding="utf-8"))
        for tag, attrs in parsed.tags:
            for name, value in attrs.items():
                assert not name.startswith("on"), (page.name, tag, name, value)
                if name in ("href", "src", "action", "formaction", "xlink:href"):
                    assert not value.strip().lower().startswith("javascript:"), (page.name, tag, name, value)
            assert tag != "img" or attrs.get("src") != "x", (page.name, attrs)
        assert not any("alert(1)" in body for body in parsed.scripts), page.name
        text = " ".join(parsed.text)
        assert " 49 " not in f" {text} ", page.name
        if page.name == "index.html":
            assert "<script>alert(1)</script>" in text  # shown, as text
            assert "{{ 7*7 }}" in text
