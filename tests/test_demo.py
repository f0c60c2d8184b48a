"""medialib.demo: a tiny two-item catalog rendered with real espeak-ng and ffmpeg."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from medialib import demo, media, narration
from medialib.catalog import Catalog
from medialib.chapters import Chapter

CATALOG = """\
speakers:
  nancy-lin: {name: Nancy Lin, credentials: MD}
  erica-mayer: {name: Erica Mayer, credentials: "MD, MPH"}
  steve-oneill: {name: Steve O'Neill, credentials: "LICSW, BCD, JD"}
topics: {}
series: {}
webcasts:
  trial-chat:
    title: "Choosing a clinical trial: what's right for you, and when?"
    kind: video
    speakers: [nancy-lin, erica-mayer]
    media: {file: video.mp4, type: video/mp4}
    poster: poster.jpg
    captions: [{lang: en, file: captions.en.vtt}]
    chapters:
      - {start: 0, title: "Welcome"}
      - {start: 3, title: "Phases: one, two and three; 100% voluntary"}
  proxy-podcast:
    title: "Designating a proxy: O'Neill's podcast"
    kind: audio
    speakers: [steve-oneill]
    media: {file: audio.m4a, type: audio/mp4}
    poster: poster.jpg
    captions: [{lang: en, file: captions.en.vtt}]
"""

CHAT_VTT = """\
WEBVTT

00:00:00.000 --> 00:00:02.500
<v Narrator>This is sample narration.</v>

00:00:02.600 --> 00:00:04.000
<v Nancy Lin>A trial is a research study that tests new treatments &amp; new ways to use them.</v>

00:00:04.100 --> 00:00:05.400
<v Erica Mayer><i>Joining</i> is always a choice.</v>
"""

PODCAST_VTT = """\
WEBVTT

NOTE a comment block

1
00:00:00.500 --> 00:00:03.000
Welcome to this sample podcast.

2
00:00:03.200 --> 00:00:05.500 align:start
A health care proxy speaks for you when you cannot.
"""


def write_library(root: Path) -> Catalog:
    for slug, vtt in (("trial-chat", CHAT_VTT), ("proxy-podcast", PODCAST_VTT)):
        (root / "media" / slug).mkdir(parents=True)
        (root / "media" / slug / "captions.en.vtt").write_text(vtt, encoding="utf-8")
    (root / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    return Catalog.load(root / "catalog.yaml")


def streams(path: Path) -> list[str]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name",
                          "-of", "csv=p=0", path], capture_output=True, text=True, check=True)
    return out.stdout.split()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Catalog, list[str], float]:
    """The tiny library rendered once for the module: (root, catalog, slugs, seconds)."""
    root = tmp_path_factory.mktemp("demo")
    catalog = write_library(root)
    started = time.perf_counter()
    slugs = demo.render_demo(root, catalog, jobs=2)
    return root, catalog, slugs, time.perf_counter() - started


def test_read_cues_speakers_and_plain_text(tmp_path):
    path = tmp_path / "c.vtt"
    path.write_text(CHAT_VTT, encoding="utf-8")
    cues = demo.read_cues(path)
    assert [c.speaker for c in cues] == ["Narrator", "Nancy Lin", "Erica Mayer"]
    assert cues[1].text.endswith("new treatments & new ways to use them.")
    assert cues[2].text == "Joining is always a choice."
    assert (cues[1].start, cues[1].end) == (2.6, 4.0)  # milliseconds kept


def test_renders_video_and_audio(rendered):
    root, _, slugs, seconds = rendered
    assert slugs == ["trial-chat", "proxy-podcast"]
    video = media.probe(root / "media/trial-chat/video.mp4")
    assert (video.video.codec, video.video.pix_fmt, video.audio.codec) == ("h264", "yuv420p", "aac")
    assert (video.video.width, video.video.height) == (1280, 720)
    assert video.duration == pytest.approx(5.4 + 1.0, abs=0.25)  # last cue end + 1 s
    audio = media.probe(root / "media/proxy-podcast/audio.m4a")
    assert audio.video is None and audio.audio.codec == "aac"
    assert audio.duration == pytest.approx(5.5 + 1.0, abs=0.25)
    assert streams(root / "media/proxy-podcast/audio.m4a") == ["aac"]
    for slug in slugs:
        assert (root / "media" / slug / "poster.jpg").read_bytes()[:2] == b"\xff\xd8"
        assert media.plan(media.probe(root / "media" / slug /
                                      ("video.mp4" if slug == "trial-chat" else "audio.m4a"))
                          ).action == "remux"  # already web-safe, fast start
    assert not list(root.glob("media/*/.*"))  # no temporary files left
    print(f"tiny demo rendered in {seconds:.2f} s")


def test_video_is_seekable_and_chapters_are_keyframes(rendered):
    root = rendered[0]
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-skip_frame",
                          "nokey", "-show_entries", "frame=pts_time", "-of", "csv=p=0",
                          root / "media/trial-chat/video.mp4"], capture_output=True, text=True,
                         check=True)
    keys = [float(t.strip(",")) for t in out.stdout.split()]
    assert 3.0 in keys  # the second chapter starts on a keyframe
    assert max(b - a for a, b in zip(keys, keys[1:], strict=False)) <= 5.0


def test_narration_follows_the_cues(rendered):
    """Speech is heard inside each cue and silence between them (checked with silencedetect)."""
    root = rendered[0]
    out = subprocess.run(["ffmpeg", "-nostdin", "-i", root / "media/proxy-podcast/audio.m4a",
                          "-af", "silencedetect=n=-45dB:d=0.15", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    starts = [float(line.split("silence_end: ")[1].split()[0])
              for line in out.splitlines() if "silence_end" in line]
    # Speech starts at 0.5 s and at 3.2 s (AAC adds a few milliseconds).
    assert starts[0] == pytest.approx(0.5, abs=0.1)
    assert any(s == pytest.approx(3.2, abs=0.1) for s in starts)


def test_second_call_reuses_everything(rendered):
    root, catalog, _, _ = rendered
    before = {p: p.stat().st_mtime_ns for p in root.glob("media/*/*") if p.suffix != ".vtt"}
    messages: list[str] = []
    assert demo.render_demo(root, catalog, progress=messages.append) == []
    assert messages == []
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_missing_poster_only_renders_the_poster(tmp_path, rendered):
    root, catalog, _, _ = rendered
    video = root / "media/trial-chat/video.mp4"
    mtime = video.stat().st_mtime_ns
    (root / "media/trial-chat/poster.jpg").unlink()
    messages: list[str] = []
    assert demo.render_demo(root, catalog, progress=messages.append) == ["trial-chat"]
    assert video.stat().st_mtime_ns == mtime
    assert (root / "media/trial-chat/poster.jpg").exists()
    assert "poster.jpg" in messages[-1] and "video.mp4" not in messages[-1]


def test_changed_captions_render_again_but_a_real_recording_is_kept(tmp_path, tiny_m4a):
    catalog = write_library(tmp_path)
    podcast = catalog.webcasts["proxy-podcast"]
    catalog.webcasts = {"proxy-podcast": podcast}
    assert demo.render_demo(tmp_path, catalog) == ["proxy-podcast"]
    vtt = tmp_path / "media/proxy-podcast/captions.en.vtt"
    vtt.write_text(PODCAST_VTT.replace("sample podcast", "demonstration podcast"))
    assert demo.render_demo(tmp_path, catalog) == ["proxy-podcast"]
    # A recording put in place by hand or by ingest carries no demo fingerprint: left alone.
    audio = tmp_path / "media/proxy-podcast/audio.m4a"
    audio.write_bytes(tiny_m4a.read_bytes())
    vtt.write_text(PODCAST_VTT)
    assert demo.render_demo(tmp_path, catalog) == []
    assert audio.read_bytes() == tiny_m4a.read_bytes()
    assert demo.render_demo(tmp_path, catalog, force=True) == ["proxy-podcast"]


def test_failure_leaves_no_half_file(tmp_path, monkeypatch):
    catalog = write_library(tmp_path)
    stale = tmp_path / "media/trial-chat/.video.part-old.mp4"
    stale.write_bytes(b"left by a killed run")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))

    def broken(*args, **kwargs):
        raise demo.DemoError("trial-chat", "ffmpeg failed: simulated")

    monkeypatch.setattr(demo, "_encode", broken)
    with pytest.raises(media.MediaError, match="trial-chat: ffmpeg failed"):
        demo.render_demo(tmp_path, catalog, jobs=1)
    assert not list(tmp_path.glob("media/*/*.mp4")) and not list(tmp_path.glob("media/*/.*"))
    assert not list(tmp_path.glob("media/*/*.m4a"))  # cancelled or cleaned, never half-written


def test_errors_name_the_file(tmp_path):
    catalog = write_library(tmp_path)
    vtt = tmp_path / "media/trial-chat/captions.en.vtt"
    vtt.write_text("not a caption file\n")
    with pytest.raises(demo.DemoError, match=r"captions\.en\.vtt: cannot read captions"):
        demo.render_demo(tmp_path, catalog)
    vtt.unlink()
    with pytest.raises(demo.DemoError, match=r"captions\.en\.vtt: caption file not found"):
        demo.render_demo(tmp_path, catalog)


def test_slide_text_is_escaped_through_files(tmp_path):
    item = demo._Item("x", "video", "It's 100%: a, b", "Steve O'Neill, LICSW", "en", (
        Chapter(0, "One: two, 'three'"),), (), 5.0, tmp_path / "v.mp4", tmp_path / "p.jpg", "f",
        True)
    graph = demo._slide_filter(item, tmp_path)
    assert "O'Neill" not in graph and "100%" not in graph
    assert (tmp_path / "title.txt").read_text() == "It's 100%: a, b"
    assert (tmp_path / "chapter0.txt").read_text() == "One: two, 'three'"
    assert graph.count("drawtext=") == 5


def test_wrap_limits_lines():
    wrapped = demo._wrap("word " * 40, 20, 2)
    lines = wrapped.split("\n")
    assert len(lines) == 2 and all(len(line) <= 20 for line in lines)
    assert lines[-1].endswith("\u2026")


def test_the_demo_command_renders_under_the_lock_then_reindexes(tmp_path):
    from tests.ingest_support import cli

    catalog = write_library(tmp_path)
    catalog.remove_webcast("trial-chat")  # the audio item alone: the cheaper one to render
    (tmp_path / "catalog.yaml").write_text(catalog.dump(), encoding="utf-8")
    result = cli(tmp_path, "demo")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["Rendered 1 item(s); 0 reused.",
                                          "The sample library is ready: 1 webcasts."]
    assert (tmp_path / "media/proxy-podcast/audio.m4a").exists()
    # Its HLS renditions too (an audio item: the audio rendition alone), as ingest makes them.
    from medialib import renditions

    hls = tmp_path / "media/proxy-podcast/hls"
    manifest = renditions.read_manifest(hls)
    assert manifest is not None and [r["name"] for r in manifest["renditions"]] == ["audio"]
    assert renditions.check(hls, manifest["duration"]) == []
    result = cli(tmp_path, "demo")
    assert result.stdout.splitlines()[0] == "Rendered 0 item(s); 1 reused."
    assert "renditions:" not in result.stderr  # current: not built again
    assert not (tmp_path / ".staging").exists()


# ---- the sample library in Spanish -----------------------------------------------------------

SPANISH_ITEM = "primera-cita-de-radioterapia"


def test_spanish_slides_and_voices(tmp_path, monkeypatch):
    item = demo._Item("x", "video", "Su primera cita", "", "es", (
        Chapter(0, "Introducción"), Chapter(2, "Preguntas")), tuple(demo.read_cues(
            write_vtt(tmp_path / "c.vtt", "<v Narrador>Hola.", "<v Ana Pérez>Bienvenidos."))),
        5.0, tmp_path / "v.mp4", tmp_path / "p.jpg", "f", True)
    demo._slide_filter(item, tmp_path)
    assert (tmp_path / "label0.txt").read_text() == "Capítulo 1 de 2"
    assert (tmp_path / "footer.txt").read_text() == (
        "Narración de muestra \u2014 biblioteca de demostración")
    voices: list[str] = []

    def speak(text: str, voice: str, wpm: int) -> tuple[int, bytes]:
        voices.append(voice)
        return 22050, b"\1\1" * 2205

    monkeypatch.setattr(narration, "speak", speak)
    narration.write_narration(item.cues, item.duration, item.lang, tmp_path / "n.wav")
    assert voices == ["es-419", "es-419+f3"]  # the narrator, then the speaker's own voice


def write_vtt(path: Path, *lines: str) -> Path:
    cues = [f"00:00:0{n}.000 --> 00:00:0{n}.900\n{line}\n" for n, line in enumerate(lines)]
    path.write_text("WEBVTT\n\n" + "\n".join(cues), encoding="utf-8")
    return path


def test_the_spanish_sample_item_renders_and_checks(tmp_path):
    """The committed Spanish item, narrated by espeak-ng's Spanish voice, passes `check`."""
    from medialib.config import Settings
    from medialib.library import Library
    from tests.ingest_support import REPO, cli
    from tests.libraries import copy_sample_library

    root = copy_sample_library(tmp_path / "library")
    catalog = Catalog.load(root / "catalog.yaml")
    for slug in list(catalog.webcasts):
        if slug != SPANISH_ITEM:
            catalog.remove_webcast(slug)
            shutil.rmtree(root / "media" / slug)
    catalog.save()
    assert demo.render_demo(root, catalog, jobs=1) == [SPANISH_ITEM]
    video = root / "media" / SPANISH_ITEM / "video.mp4"
    assert media.probe(video).duration == pytest.approx(159.0 + 1.0, abs=0.25)
    # Speech starts where the cues start (the first three, at 0, 4.9 and 10.7 s).
    out = subprocess.run(["ffmpeg", "-nostdin", "-t", "14", "-i", video, "-af",
                          "silencedetect=n=-45dB:d=0.15", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    ends = [float(line.split("silence_end: ")[1].split()[0])
            for line in out.splitlines() if "silence_end" in line]
    assert any(s == pytest.approx(4.9, abs=0.15) for s in ends)
    assert any(s == pytest.approx(10.7, abs=0.15) for s in ends)
    with Library(Settings(library=root)) as library:
        library.reindex()
    result = cli(root, "check")
    assert result.exit_code == 0, result.stderr
    name = f"{SPANISH_ITEM}.es.txt"
    assert (root / "transcripts" / name).read_bytes() == (REPO / "transcripts" / name).read_bytes()
