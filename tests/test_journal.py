"""The moves of a committed change, run again as recovery would after a crash at any point:
the new media folder comes in once (never swapped back), files only the old version had stay
until taken out, and running either move twice changes nothing more."""

from __future__ import annotations

from pathlib import Path

from medialib.config import Settings
from medialib.journal import bring_in, carry_over, no_pause, take_out


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


def _replacement(tmp_path: Path) -> tuple[Settings, Path, dict[str, object]]:
    """A library whose webcast 'talk' has English captions, and a staged change that replaces
    it with a version captioned in Spanish only: the journal as `Staging.commit` writes it."""
    settings = Settings(library=tmp_path / "library")
    current = settings.media_dir / "talk"
    current.mkdir(parents=True)
    for name, text in {"video.mp4": "old video", "captions.en.vtt": "old en"}.items():
        (current / name).write_text(text)
    settings.transcripts_dir.mkdir()
    (settings.transcripts_dir / "talk.en.txt").write_text("old transcript")
    settings.catalog_path.write_text("old catalog")
    folder = tmp_path / "staging"
    staged = folder / "new" / "media"
    staged.mkdir(parents=True)
    for name, text in {"video.mp4": "new video", "captions.es.vtt": "new es"}.items():
        (staged / name).write_text(text)
    (folder / "new" / "transcripts").mkdir()
    (folder / "new" / "transcripts" / "talk.es.txt").write_text("new transcript")
    (folder / "catalog.yaml").write_text("new catalog")
    journal: dict[str, object] = {
        "op": "ingest", "slug": "talk", "transcripts": ["talk.es.txt"],
        "media_inode": staged.stat().st_ino, "leftovers": carry_over(current, staged),
    }
    return settings, folder, journal


def test_bringing_in_twice_keeps_the_new_folder_and_the_old_files_until_taken_out(
    tmp_path: Path,
) -> None:
    settings, folder, journal = _replacement(tmp_path)
    assert journal["leftovers"] == ["captions.en.vtt"]
    for _ in range(2):  # a crash after the first run: recovery runs it again
        bring_in(settings, folder, journal, no_pause)
        assert _files(settings.media_dir / "talk") == {
            "captions.en.vtt": "old en", "captions.es.vtt": "new es", "video.mp4": "new video",
        }
        assert settings.catalog_path.read_text() == "new catalog"
        assert sorted(p.name for p in settings.transcripts_dir.iterdir()) == [
            "talk.en.txt", "talk.es.txt"]  # the old page's transcript is still there
    for _ in range(2):
        take_out(settings, folder, journal, no_pause)
        assert _files(settings.media_dir / "talk") == {
            "captions.es.vtt": "new es", "video.mp4": "new video",
        }
        assert [p.name for p in settings.transcripts_dir.iterdir()] == ["talk.es.txt"]


def test_a_removal_takes_the_folder_out_only_at_the_end(tmp_path: Path) -> None:
    settings = Settings(library=tmp_path / "library")
    (settings.media_dir / "talk").mkdir(parents=True)
    (settings.media_dir / "talk" / "video.mp4").write_text("video")
    settings.transcripts_dir.mkdir()
    (settings.transcripts_dir / "talk.en.txt").write_text("transcript")
    folder = tmp_path / "staging"
    folder.mkdir()
    (folder / "catalog.yaml").write_text("catalog without talk")
    journal: dict[str, object] = {"op": "remove", "slug": "talk", "transcripts": []}
    bring_in(settings, folder, journal, no_pause)
    assert (settings.media_dir / "talk" / "video.mp4").exists()  # still served until the switch
    assert settings.catalog_path.read_text() == "catalog without talk"
    for _ in range(2):
        take_out(settings, folder, journal, no_pause)
        assert not (settings.media_dir / "talk").exists()
        assert list(settings.transcripts_dir.iterdir()) == []
    assert (folder / "old" / "media" / "video.mp4").read_text() == "video"
