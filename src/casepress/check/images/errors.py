"""The one error an image check or stripper raises: a code and one sentence."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ImageError(ValueError):
    """An image that cannot be published; the caller locates it at the figure's field.

    A ``ValueError``, so that callers of the strippers that catch ``ValueError``
    keep working. (Not frozen: Python sets ``__traceback__`` on exceptions it passes
    through context managers.)
    """

    code: str
    """The diagnostic code: ``image-unreadable``, ``image-too-large``, ``image-unsafe`` or
    ``unsupported-image``."""
    reason: str
    """What is wrong, one sentence without the location."""

    def __str__(self) -> str:
        return self.reason


def unreadable(reason: str) -> ImageError:
    """A damaged, truncated or malformed image."""
    return ImageError("image-unreadable", reason)
