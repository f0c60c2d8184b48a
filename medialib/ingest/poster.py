"""The poster of an audio-only webcast: a calm title card (title, speakers, "Audio").

A video's poster is one of its frames (media.make_poster). An audio item has no frames, so the
player and the library page show this card instead. It is a nicety: without the DejaVu fonts or
when ffmpeg's drawtext fails, the webcast simply has no poster. The one title card of medialib:
the demo's audio items get it too (with their "sample narration" footer), and its palette and
fonts are those of the demo's slides.
"""

from __future__ import annotations

import subprocess
import textwrap
from collections.abc import Sequence
from pathlib import Path

POSTER = "poster.jpg"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
WIDTH, HEIGHT = 1280, 720
BACKGROUND, INK, MUTED, ACCENT = "0xF6F3EC", "0x1F2933", "0x52606D", "0x2F5D7C"


def make_title_card(
    title: str, speakers: Sequence[str], dest: Path, work: Path, footer: str = ""
) -> str:
    """Write the card to `dest`; a one-line account of what was done (or why not)."""
    regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return f"none (no DejaVu fonts in {FONT_DIR} for a title card)"
    lines = textwrap.wrap(title, 34)[:3] or [""]
    texts = [("title", "\n".join(lines), bold, 52, INK, 150)]
    y = 150 + 66 * len(lines) + 10
    if speakers:
        who = "\n".join(textwrap.wrap("; ".join(speakers), 60)[:2])
        texts.append(("speakers", who, regular, 30, MUTED, y))
    texts.append(("kind", "Audio", regular, 30, ACCENT, 470))
    if footer:
        texts.append(("footer", footer, regular, 24, MUTED, HEIGHT - 72))
    filters = [f"drawbox=x=96:y=104:w=120:h=8:color={ACCENT}:t=fill"]
    for name, text, font, size, color, top in texts:
        # Text goes through files (textfile=, expansion=none): no escaping of quotes or colons.
        path = work / f"card-{name}.txt"
        path.write_text(text, encoding="utf-8")
        filters.append(
            f"drawtext=fontfile={quote_option(str(font))}:textfile={quote_option(str(path))}"
            ":expansion=none"
            f":fontsize={size}:fontcolor={color}:x=96:y={top}:line_spacing={size // 4}"
        )
    args = [
        "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y",
        "-f", "lavfi", "-i", f"color=c={BACKGROUND}:s={WIDTH}x{HEIGHT}:d=1",
        "-vf", ",".join(filters), "-frames:v", "1", "-q:v", "3", "-f", "image2", str(dest),
    ]
    result = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True)
    if result.returncode != 0 or not dest.exists():
        dest.unlink(missing_ok=True)
        if result.returncode == -25:  # SIGXFSZ: a file-size limit, as a full disk would
            raise OSError(27, "File too large", str(dest))
        return "none (ffmpeg could not draw a title card)"
    return f"{POSTER}: a title card"


def quote_option(value: str) -> str:
    """A filter option value in single quotes (a quote inside is closed, escaped, reopened)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "'\\''") + "'"
