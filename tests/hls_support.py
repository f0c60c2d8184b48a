"""A library holding one ingested 640x360 talk with HLS renditions, for the renditions tests and
the browser's HLS tests."""

from __future__ import annotations

from pathlib import Path

from tests.ingest_support import cli
from tests.media_fixtures import ffmpeg

SLUG = "hls-talk"
SECONDS = 24


def talk_captions(seconds: int = SECONDS) -> str:
    """An SRT cue every two seconds, each naming its own second."""
    blocks = []
    for n, start in enumerate(range(0, seconds, 2), start=1):
        blocks.append(f"{n}\n00:00:{start:02d},000 --> 00:00:{start + 1:02d},900\n"
                      f"Words said at second {start}.\n")
    return "\n".join(blocks)


def make_talk(folder: Path, seconds: int = SECONDS) -> Path:
    """A web-safe H.264/AAC 640x360 recording (busy enough that 240p comes out smaller)."""
    out = folder / "talk.mp4"
    if not out.exists():
        ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=25:duration={seconds}",
               "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
               "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18", "-g", "50",
               "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", "-shortest", out)
    return out


def make_hls_library(root: Path) -> Path:
    """`medialib init` and the ingest of one talk (SLUG) with captions: renditions included."""
    root.parent.mkdir(parents=True, exist_ok=True)
    video = make_talk(root.parent)
    captions = root.parent / "talk.srt"
    captions.write_text(talk_captions(), encoding="utf-8")
    assert cli(root, "init", root).exit_code == 0
    result = cli(root, "ingest", video, "--title", "Streaming talk", "--slug", SLUG,
                 "--captions", captions, "--speaker", "Nancy Lin, MD")
    assert result.exit_code == 0, result.stderr
    return root
