"""Aligned versions → classified character-level differences and a verdict.

``sides.py`` folds one side of a comparison for diffing and says what characters mean
(punctuation, numbers, script variants, OCR look-alikes); ``classify.py`` aligns two sides,
classifies each difference and summarises a cluster member.
"""

from __future__ import annotations

from neardup.diff.classify import (
    COSMETIC_KINDS,
    KINDS,
    SUBSTANTIVE_KINDS,
    Difference,
    Explanation,
    diff_files,
    explain,
)

__all__ = ["COSMETIC_KINDS", "KINDS", "SUBSTANTIVE_KINDS", "Difference", "Explanation", "diff_files", "explain"]
