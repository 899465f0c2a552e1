"""Floats: figures with their panels, and tables."""

# No `from __future__ import annotations` in the model's modules: see casepress.model.

from typing import Annotated, Literal, Self

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
    def _check(self) -> Self:
        first, _, last = self.label.partition("-")
        if last and last <= first:
            raise PydanticCustomError(
                "panel_range", "panel range '{label}' must run forwards, e.g. A-C", {"label": self.label}
            )
        if self.file and not self.alt:
            raise PydanticCustomError("missing_alt", "a panel with its own image needs 'alt' text")
        return self


class Figure(Model):
    """A figure: one image (optionally with lettered panels), one image per panel, or drawn from the case's data."""

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
    generate: Literal["timeline"] | None = None
    """Draw the figure from the case's data instead of a file: ``timeline`` draws the timeline's
    events on a time axis (its alt text is generated from the events unless ``alt`` is given)."""
    columns: Annotated[int, Field(ge=1, le=3)] | None = None
    """Panels with their own images set this many across (1-3; default: two for two or four images, else three)."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        panel_files = sum(1 for p in self.panels if p.file)
        if self.generate and (self.file or self.panels):
            raise PydanticCustomError(
                "figure_source", "give either 'generate' or 'file'/'panels', not both (a generated figure has no image file)")
        if self.columns is not None and panel_files < 2:
            raise PydanticCustomError(
                "figure_columns", "'columns' sets panels with their own images side by side; this figure has {n}",
                {"n": "one" if panel_files == 1 else "none"})
        if self.generate:
            if not self.caption:
                raise PydanticCustomError("missing_caption", "a figure needs a caption or panel captions")
            return self
        if not self.file and not panel_files:
            raise PydanticCustomError("missing_image", "a figure needs a 'file', panels with files or 'generate'")
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
    def _check(self) -> Self:
        inline = self.columns is not None or self.rows is not None
        if self.generate and inline:
            raise PydanticCustomError("table_source", "give either 'generate' or 'columns' and 'rows', not both")
        if not self.generate and not (self.columns and self.rows):
            raise PydanticCustomError("table_source", "give 'generate' or both 'columns' and 'rows'")
        return self
