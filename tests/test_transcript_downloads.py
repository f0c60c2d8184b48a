"""The transcript a download rebuilds from the database is the file reindex writes, to the byte:
one header and one layout for both (they had drifted apart: the series' part was missing)."""

from __future__ import annotations

from pathlib import Path

from medialib.catalog import Catalog
from medialib.config import Settings
from tests.libraries import reindexed


def test_a_rebuilt_transcript_download_is_the_written_file(make_app, fresh_library: Path) -> None:
    settings = Settings(library=reindexed(fresh_library))
    webcasts = Catalog.load(fresh_library / "catalog.yaml").webcasts.values()
    slugs = [w.slug for w in webcasts if any(t.lang == "en" for t in w.captions)]  # .en.txt
    written = {}
    for slug in slugs:
        path = settings.transcripts_dir / f"{slug}.en.txt"
        written[slug] = path.read_bytes()
        path.unlink()
    assert len(written) == len(slugs) >= 7
    assert sum(b"Series: " in text for text in written.values()) == 2
    client = make_app(settings).test_client()
    for slug in slugs:
        response = client.get(f"/webcasts/{slug}/transcript.txt")
        assert response.status_code == 200
        assert response.data == written[slug], slug
