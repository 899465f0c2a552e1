"""Stage 2, check: the case validated against the CARE model, the timeline resolved, generated
tables specified, de-identification lints, and every figure file checked.
"""
