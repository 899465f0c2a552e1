"""Floats: figures with their panels, and tables."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from casepress.model.base import FigureId, Model, Prose, TableId, Text


PanelLabel = Annotated[str, StringConstraints(pattern=r"^[A-Z](-[A-Z])?$")]


class Panel(Model):
    """A panel, or a run of panels (``A-C``) sharing a legend, of a figure."""

    label: PanelLabel
    """The panel letter, or a range such as ``A-C``."""
    caption: Prose | None = None
    """The legend of this panel or run, printed after ``(A–C)``."""
    file: Text | None = None
    """The panel's own image, relative to the case folder (omit when part of the figure's image)."""
    alt: Text | None = None
    """Alternative text for the panel's own image (required with ``file``)."""

    @property
    def letters(self) -> list[str]:
        """The letters this entry defines: ``A-C`` -> A, B, C."""
        first, _, last = self.label.partition("-")
        return [chr(c) for c in range(ord(first), ord(last or first) + 1)]

    @model_validator(mode="after")
    def _check(self) -> Panel:
        first, _, last = self.label.partition("-")
        if last and last <= first:
            raise PydanticCustomError(
                "panel_range", "panel range '{label}' must run forwards, e.g. A-C", {"label": self.label}
            )
        if self.file and not self.alt:
            raise PydanticCustomError("missing_alt", "a panel with its own image needs 'alt' text")
        return self


class Figure(Model):
    """A figure: one image (optionally with lettered panels) or one image per panel."""

    id: FigureId
    """Id used in cross-references, e.g. ``fig-histology`` -> ``@fig-histology``."""
    caption: Prose | None = None
    """The legend's lead text (before any panel legends)."""
    file: Text | None = None
    """The figure's image, relative to the case folder (SVG, PNG or JPEG)."""
    alt: Text | None = None
    """Alternative text describing the image (required with ``file``)."""
    panels: list[Panel] = Field(default_factory=list)
    """Lettered panels, in order."""
    width: Literal["column", "page"] = "column"
    """Column width, or across the page in two-column layouts."""
    placeholder: bool = False
    """True when the image is a stand-in for one that is not available (labelled as such)."""

    @model_validator(mode="after")
    def _check(self) -> Figure:
        if not self.file and not any(p.file for p in self.panels):
            raise PydanticCustomError("missing_image", "a figure needs a 'file' or panels with files")
        if self.file and not self.alt:
            raise PydanticCustomError("missing_alt", "a figure with an image needs 'alt' text")
        if not self.caption and not any(p.caption for p in self.panels):
            raise PydanticCustomError("missing_caption", "a figure needs a caption or panel captions")
        return self


class Table(Model):
    """A table: inline rows, or generated from the case's structured data."""

    id: TableId
    """Id used in cross-references, e.g. ``tbl-labs`` -> ``@tbl-labs``."""
    caption: Prose
    """The table's title."""
    generate: Literal["timeline", "laboratory", "immunohistochemistry"] | None = None
    """Build the rows from the timeline, the laboratory results or the immunohistochemistry."""
    columns: list[Text] | None = None
    """Column headings of an inline table."""
    rows: list[list[Prose]] | None = None
    """Rows of an inline table (Markdown cells)."""
    notes: Prose | None = None
    """Footnotes printed under the table."""
    width: Literal["column", "page"] = "column"
    """Column width, or across the page in two-column layouts."""

    @model_validator(mode="after")
    def _check(self) -> Table:
        inline = self.columns is not None or self.rows is not None
        if self.generate and inline:
            raise PydanticCustomError("table_source", "give either 'generate' or 'columns' and 'rows', not both")
        if not self.generate and not (self.columns and self.rows):
            raise PydanticCustomError("table_source", "give 'generate' or both 'columns' and 'rows'")
        return self
