"""Re-ingesting a webcast keeps the translations people wrote for it in the catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from medialib.catalog import Catalog
from tests.ingest_support import cli
from tests.test_ingest import SRT, published, write

TRANSLATION = """\
    translations:
      es:   # translated by hand
        title: Cansancio
        chapters: [Bienvenida, Preguntas]
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    assert cli(root, "init", root).exit_code == 0
    return root


def test_reingest_keeps_translations(library: Path, tiny_video: Path, tmp_path: Path) -> None:
    captions = write(tmp_path / "a.srt", SRT)
    chapters = write(tmp_path / "chapters.txt", "0:00 Welcome\n0:01 Questions\n")
    assert cli(library, "ingest", tiny_video, "--title", "Fatigue", "--captions", captions,
               "--chapters", chapters).exit_code == 0
    catalog_file = library / "catalog.yaml"
    catalog_file.write_text(catalog_file.read_text(encoding="utf-8") + TRANSLATION,
                            encoding="utf-8")
    assert published(library, "fatigue").text("es").title == "Fatigue"  # not reindexed yet
    # The same chapters: everything kept, comment included, and the rows follow.
    result = cli(library, "ingest", tiny_video, "--title", "Fatigue", "--slug", "fatigue",
                 "--chapters", chapters)
    assert result.exit_code == 0, result.stderr
    assert "# translated by hand" in catalog_file.read_text(encoding="utf-8")
    row = published(library, "fatigue")
    assert (row.text("es").title, row.text("es").chapters) == ("Cansancio",
                                                               ("Bienvenida", "Preguntas"))
    # Three chapters now: the two translated titles no longer fit and are dropped, with a word.
    three = write(tmp_path / "three.txt", "0:00 Welcome\n0:01 Questions\n0:01.5 Goodbye\n")
    result = cli(library, "ingest", tiny_video, "--title", "Fatigue", "--slug", "fatigue",
                 "--chapters", three)
    assert result.exit_code == 0, result.stderr
    assert "es chapter titles no longer match the 3 chapters" in result.output + result.stderr
    kept = Catalog.load(catalog_file).webcast("fatigue")
    assert kept.text("es").title == "Cansancio"
    assert kept.text("es").chapters == ("Welcome", "Questions", "Goodbye")
