"""``collection``: ``output/index.html``, every built case listed from the manifest (written once,
after every case; :mod:`casepress.build.collection`)."""

from __future__ import annotations

from casepress.outputs.spec import Output

OUTPUT = Output(
    name="collection",
    summary="the collection page, output/index.html, listing every built case",
    files=lambda slug, selected: {"collection": "index.html"},
    scope="collection",
)
