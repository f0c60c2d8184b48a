"""medialib.languages: the one table of language names and codes."""

from __future__ import annotations

import pytest

from medialib.languages import ISO639_2, LANGUAGE_LABELS, language_label


@pytest.mark.parametrize(
    ("lang", "label"),
    [("en", "English"), ("es-MX", "Español"), ("ES", "Español"), ("zh-Hant", "中文"),
     ("pl", "Polski"), ("tlh", "tlh"), ("x-klingon", "x-klingon")],
)
def test_language_label(lang: str, label: str) -> None:
    assert language_label(lang) == label


def test_every_code_ffprobe_reports_has_a_name() -> None:
    assert set(ISO639_2.values()) <= set(LANGUAGE_LABELS)
