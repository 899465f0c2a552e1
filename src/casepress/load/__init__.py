"""Stage 1, load: the case YAML read with positions kept (and guarded against bombs), plus a
pydantic-free reader of the top-level inputs the no-op rebuild digests.
"""
