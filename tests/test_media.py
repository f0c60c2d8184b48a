"""medialib.media over real ffmpeg and the tiny generated media of tests/media_fixtures.py."""

from __future__ import annotations

import hashlib
import os
import re
import struct
import subprocess
import sys
import time
from pathlib import Path

import blake3
import pytest

from medialib import media
from medialib.chapters import Chapter
from medialib.media import AudioStream, MediaError, Probe, VideoStream


def top_level_atoms(path: Path) -> list[str]:
    """The top-level MP4 box types in file order."""
    atoms, data, pos = [], path.read_bytes(), 0
    while pos + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        atoms.append(kind.decode("latin-1"))
        if size < 8:
            break
        pos += size
    return atoms


def ffmpeg_running(needle: str) -> bool:
    """Whether an ffmpeg process (not a zombie) has `needle` (an output path) in its arguments."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if Path(args[0].decode(errors="replace")).name == "ffmpeg" and needle.encode() in args:
            return True
    return False


@pytest.fixture(scope="module")
def probed(request):
    """probe() of a media fixture by name, cached: each ffprobe run costs ~0.1 s."""
    cache: dict[str, Probe] = {}

    def get(name: str) -> Probe:
        if name not in cache:
            cache[name] = media.probe(request.getfixturevalue(name))
        return cache[name]

    return get


# ---- probe ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture, kind, video, audio, container",
    [
        ("tiny_video", "video", "h264", "aac", "mp4"),
        ("tiny_mov", "video", "h264", "aac", "mov"),
        ("tiny_vp9", "video", "vp9", "opus", "webm"),
        ("tiny_mkv_with_subs", "video", "h264", "aac", "matroska"),
        ("tiny_avi", "video", "mpeg4", "mp3", "avi"),
        ("tiny_audio_mp3", "audio", None, "mp3", "mp3"),
        ("tiny_m4a", "audio", None, "aac", "m4a"),
        ("tiny_wav", "audio", None, "pcm_s16le", "wav"),
        ("tiny_flac", "audio", None, "flac", "flac"),
    ],
)
def test_probe_each_kind(request, probed, fixture, kind, video, audio, container):
    path = request.getfixturevalue(fixture)
    p = probed(fixture)
    assert p.kind == kind
    assert container in p.containers
    assert p.duration == pytest.approx(2.0, abs=0.15)
    assert p.size == path.stat().st_size
    assert (p.video.codec if p.video else None) == video
    assert p.audio is not None and p.audio.codec == audio
    assert p.audio.channels == 1 and p.audio.sample_rate in (22050, 44100, 48000)


def test_probe_video_details(probed):
    v = probed("tiny_video").video
    assert (v.width, v.height, v.pix_fmt, v.fps) == (160, 120, "yuv420p", 10.0)
    assert v.profile and "Baseline" in v.profile
    assert probed("tiny_vp9").video.width == 175


@pytest.mark.parametrize("fixture", ["tiny_audio_mp3", "tiny_m4a"])
def test_cover_art_is_not_video(probed, fixture):
    assert probed(fixture).video is None


def test_probe_embedded_subtitles_and_chapters(probed):
    mkv, mp4 = probed("tiny_mkv_with_subs"), probed("tiny_mp4_with_subs")
    assert [(s.index, s.codec, s.language) for s in mkv.subtitles] == [(2, "subrip", "eng")]
    assert [(s.index, s.codec, s.language) for s in mp4.subtitles] == [(2, "mov_text", "fra")]
    expected = [Chapter(0.0, "Opening"), Chapter(1.0, "Questions: and answers")]
    assert mkv.chapters == expected
    assert mp4.chapters == expected
    assert mkv.subtitles[0].is_text


def test_untitled_chapters_are_numbered(tmp_path, tiny_video):
    meta = tmp_path / "meta.txt"
    meta.write_text(";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1000\n"
                    "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1000\nEND=2000\n")
    out = tmp_path / "untitled.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", tiny_video, "-i", meta, "-map", "0",
                    "-map_chapters", "1", "-c", "copy", out], check=True)
    assert [c.title for c in media.probe(out).chapters] == ["Chapter 1", "Chapter 2"]


def test_probe_refuses_what_is_not_media(not_media, no_av_streams, tmp_path):
    with pytest.raises(MediaError, match="ffprobe cannot read this file") as err:
        media.probe(not_media)
    assert err.value.path == str(not_media)
    assert str(err.value).startswith(f"{not_media}: ")
    assert "Invalid data" in str(err.value) and "@ 0x" not in str(err.value)
    with pytest.raises(MediaError, match=r"only-subs\.mkv: no audio or video stream"):
        media.probe(no_av_streams)
    with pytest.raises(MediaError, match="missing.mp4: ffprobe cannot read"):
        media.probe(tmp_path / "missing.mp4")


def test_probe_odd_file_names(tmp_path, tiny_video):
    odd = tmp_path / "-talk: part 1.mp4"
    odd.write_bytes(tiny_video.read_bytes())
    assert media.probe(odd).video.codec == "h264"


# ---- plan ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture, kind, action, output, copy_video, copy_audio",
    [
        ("tiny_video", "video", "remux", "video.mp4", True, True),
        ("tiny_mov", "video", "remux", "video.mp4", True, True),
        ("tiny_mkv_with_subs", "video", "remux", "video.mp4", True, True),
        ("tiny_vp9", "video", "transcode", "video.mp4", False, False),
        ("tiny_avi", "video", "transcode", "video.mp4", False, False),
        ("tiny_m4a", "audio", "remux", "audio.m4a", False, True),
        ("tiny_audio_mp3", "audio", "transcode", "audio.m4a", False, False),
        ("tiny_wav", "audio", "transcode", "audio.m4a", False, False),
        ("tiny_flac", "audio", "transcode", "audio.m4a", False, False),
    ],
)
def test_plan_decisions(probed, fixture, kind, action, output, copy_video, copy_audio):
    p = media.plan(probed(fixture))
    assert (p.kind, p.action, p.output) == (kind, action, output)
    assert (p.copy_video, p.copy_audio) == (copy_video, copy_audio)
    assert p.mime == ("video/mp4" if kind == "video" else "audio/mp4")
    assert p.description


def fake_probe(video=None, audio=None, fmt="mov,mp4,m4a,3gp,3g2,mj2") -> Probe:
    return Probe("/x/in", 10.0, fmt, 1, video, audio)


H264 = VideoStream("h264", 1280, 720, "yuv420p", 30.0, "High", 0)
AAC = AudioStream("aac", 2, 48000, 1)


@pytest.mark.parametrize(
    "probe, action, copy_video, copy_audio",
    [
        (fake_probe(H264, AAC), "remux", True, True),
        (fake_probe(H264, None), "remux", True, False),
        (fake_probe(VideoStream("h264", 1280, 720, "yuv420p10le", 30.0, "High 10"), AAC),
         "transcode", False, True),
        (fake_probe(VideoStream("h264", 1280, 720, "yuv444p", 30.0, "High 4:4:4"), AAC),
         "transcode", False, True),
        (fake_probe(H264, AudioStream("mp3", 2, 44100, 1)), "transcode", True, False),
        (fake_probe(VideoStream("hevc", 1920, 1080, "yuv420p", 30.0, "Main")), "transcode",
         False, False),
        (fake_probe(H264, AAC, fmt="mpegts"), "transcode", False, False),
        (fake_probe(None, AudioStream("aac", 2, 44100, 0), fmt="aac"), "transcode", False, False),
    ],
)
def test_plan_rules(probe, action, copy_video, copy_audio):
    p = media.plan(probe)
    assert (p.action, p.copy_video, p.copy_audio) == (action, copy_video, copy_audio)


def test_plan_resamples_unusual_rates(probed):
    assert media.plan(probed("tiny_wav")).audio_sample_rate == 48000
    flac = fake_probe(None, AudioStream("flac", 2, 44100, 0), "flac")
    assert media.plan(flac).audio_sample_rate is None


def test_ffmpeg_args(probed, tiny_video, tiny_vp9, tmp_path):
    remux = media.ffmpeg_args(tiny_video, tmp_path / "o.mp4", media.plan(probed("tiny_video")))
    assert remux[0] == "ffmpeg" and remux[-1] == "-y"
    assert "-progress" not in remux
    joined = " ".join(remux)
    assert "-c:v copy" in joined and "-c:a copy" in joined and "-movflags +faststart" in joined
    assert "-map 0:0 -map 0:1" in joined and "-map_chapters -1" in joined
    transcode = " ".join(media.ffmpeg_args(tiny_vp9, tmp_path / "o.mp4",
                                           media.plan(probed("tiny_vp9"))))
    for part in ("-c:v libx264", "-preset veryfast", "-crf 23", "-pix_fmt yuv420p",
                 "-c:a aac", "-b:a 128k", "-ac 2"):
        assert part in transcode


# ---- normalize -----------------------------------------------------------------------------


def test_remux_copies_streams_with_fast_start(probed, tiny_mkv_with_subs, tmp_path):
    src = probed("tiny_mkv_with_subs")
    plan = media.plan(src)
    dest = tmp_path / "video.mp4"
    seen: list[float] = []
    media.normalize(tiny_mkv_with_subs, dest, plan, src.duration, seen.append)
    out = media.probe(dest)
    assert out.video == src.video  # same codec, profile, size: nothing re-encoded
    assert out.audio.codec == "aac"
    assert out.subtitles == [] and out.chapters == []  # dropped: the library keeps them apart
    assert out.duration == pytest.approx(src.duration, abs=0.1)
    atoms = top_level_atoms(dest)
    assert atoms.index("moov") < atoms.index("mdat")
    assert seen and seen == sorted(seen) and seen[-1] == pytest.approx(src.duration)


def test_remux_moves_moov_first(probed, tiny_video, tmp_path):
    atoms = top_level_atoms(tiny_video)
    assert atoms.index("moov") > atoms.index("mdat")  # the fixture is not fast start
    dest = tmp_path / "video.mp4"
    media.normalize(tiny_video, dest, media.plan(probed("tiny_video")), 2.0)
    atoms = top_level_atoms(dest)
    assert atoms.index("moov") < atoms.index("mdat")


def test_transcode_vp9_to_h264_with_even_dims(probed, tiny_vp9, tmp_path):
    src = probed("tiny_vp9")
    dest = tmp_path / "video.mp4"
    seen: list[float] = []
    media.normalize(tiny_vp9, dest, media.plan(src), src.duration, seen.append)
    out = media.probe(dest)
    assert (out.video.codec, out.video.pix_fmt) == ("h264", "yuv420p")
    assert (out.video.width, out.video.height) == (174, 98)  # 175x99 rounded down to even
    assert out.audio.codec == "aac" and out.audio.channels == 2
    assert seen and seen == sorted(seen) and seen[-1] == pytest.approx(src.duration)
    atoms = top_level_atoms(dest)
    assert atoms.index("moov") < atoms.index("mdat")


@pytest.mark.parametrize("size, expected", [("2560x1440", (1920, 1080)),
                                            ("1440x2560", (1080, 1920))])
def test_transcode_fits_1080p_keeping_aspect(tmp_path, size, expected):
    src = tmp_path / "big.avi"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"testsrc=s={size}:r=2:d=0.5",
                    "-frames:v", "1",
                    "-c:v", "mpeg4", "-q:v", "31", src], check=True)
    dest = tmp_path / "video.mp4"
    media.normalize(src, dest, media.plan(media.probe(src)), 0.5)
    out = media.probe(dest)
    assert (out.video.width, out.video.height) == expected
    assert out.audio is None


@pytest.mark.parametrize("fixture, action", [("tiny_audio_mp3", "transcode"),
                                             ("tiny_wav", "transcode"),
                                             ("tiny_m4a", "remux")])
def test_audio_only_becomes_m4a(request, probed, tmp_path, fixture, action):
    path = request.getfixturevalue(fixture)
    src = probed(fixture)
    plan = media.plan(src)
    assert plan.action == action
    dest = tmp_path / "audio.m4a"
    media.normalize(path, dest, plan, src.duration)
    out = media.probe(dest)
    assert out.video is None and out.audio.codec == "aac"
    assert len(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=index", "-of",
                               "csv=p=0", dest], capture_output=True, text=True,
                              check=True).stdout.split()) == 1  # the cover art is dropped
    assert out.duration == pytest.approx(src.duration, abs=0.1)
    atoms = top_level_atoms(dest)
    assert atoms.index("moov") < atoms.index("mdat")


def test_failure_names_the_file_and_removes_partial_output(tiny_video, tmp_path):
    dest = tmp_path / "video.mp4"
    dest.write_bytes(b"half a file")
    wrong = media.Plan("video", "remux", "video.mp4", "video/mp4", "x", video_index=0,
                       audio_index=7, copy_video=True, copy_audio=True)
    with pytest.raises(MediaError, match="ffmpeg failed") as err:
        media.normalize(tiny_video, dest, wrong, 2.0)
    assert err.value.path == str(tiny_video)
    assert "0:7" in str(err.value)  # ffmpeg's own words: the stream map matches no streams
    assert not dest.exists()


@pytest.mark.parametrize("exc", [KeyboardInterrupt, RuntimeError])
def test_interrupt_stops_ffmpeg_and_removes_partial_output(probed, tiny_vp9, tmp_path, exc):
    dest = tmp_path / "interrupted.mp4"

    def interrupt(seconds: float) -> None:
        raise exc()

    with pytest.raises(exc):
        media.normalize(tiny_vp9, dest, media.plan(probed("tiny_vp9")), 2.0, interrupt)
    assert not dest.exists()
    assert not ffmpeg_running(str(dest))


def test_ffmpeg_dies_with_its_parent(tmp_path):
    """kill -9 of the process running normalize() takes ffmpeg with it (no orphan transcode)."""
    fifo, dest = tmp_path / "input.fifo", tmp_path / "orphan.mp4"
    os.mkfifo(fifo)  # ffmpeg blocks opening it: a transcode that never ends by itself
    plan = media.Plan("video", "transcode", "video.mp4", "video/mp4", "x", video_index=0)
    code = f"from medialib import media; media.normalize({str(fifo)!r}, {str(dest)!r}, " \
           f"media.Plan(**{plan.__dict__!r}), 10.0)"
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 10
        while not ffmpeg_running(str(dest)):
            assert time.monotonic() < deadline, "ffmpeg never started"
            time.sleep(0.05)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 5
    while ffmpeg_running(str(dest)):
        assert time.monotonic() < deadline, "ffmpeg outlived its parent"
        time.sleep(0.05)


# ---- poster, subtitles, checksum -----------------------------------------------------------


def test_poster(tiny_video, tmp_path):
    dest = tmp_path / "poster.jpg"
    media.make_poster(tiny_video, dest, 1.0)
    assert dest.read_bytes()[:2] == b"\xff\xd8"
    info = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,"
                           "height", "-of", "csv=p=0", dest], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert info == "mjpeg,160,120"
    with pytest.raises(MediaError, match="no audio or video stream"):
        media.probe(dest)  # a still picture is not a recording


def test_poster_past_the_end_falls_back_to_first_frame(tiny_video, tmp_path):
    dest = tmp_path / "poster.jpg"
    media.make_poster(tiny_video, dest, 3600.0)
    assert dest.stat().st_size > 0


def test_poster_is_at_most_1280_wide(tmp_path):
    src = tmp_path / "wide.avi"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=s=1920x1080:r=1:d=1",
                    "-c:v", "mpeg4", src], check=True)
    dest = tmp_path / "poster.jpg"
    media.make_poster(src, dest, 0.5)
    info = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=width,height",
                           "-of", "csv=p=0", dest], capture_output=True, text=True, check=True)
    assert info.stdout.strip() == "1280,720"


def test_poster_of_audio_fails_clearly(tiny_wav, tmp_path):
    with pytest.raises(MediaError, match=r"tiny\.wav: cannot make a poster frame"):
        media.make_poster(tiny_wav, tmp_path / "poster.jpg", 1.0)
    assert not (tmp_path / "poster.jpg").exists()


@pytest.mark.parametrize("fixture", ["tiny_mkv_with_subs", "tiny_mp4_with_subs"])
def test_extract_subtitles_as_webvtt(request, fixture):
    vtt = media.extract_subtitles(request.getfixturevalue(fixture), 2).decode("utf-8")
    assert vtt.startswith("WEBVTT")
    # The MKV muxer shifts the track by the video's 23 ms start; the times are the container's.
    assert re.search(r"^00:00\.2\d\d --> 00:00\.9\d\d$", vtt, re.M)
    assert "tiny" in vtt and "Second line" in vtt


def test_extract_subtitles_errors(tiny_mkv_with_subs, not_media):
    with pytest.raises(MediaError, match=r"subs\.mkv: no subtitle stream #0"):
        media.extract_subtitles(tiny_mkv_with_subs, 0)
    with pytest.raises(MediaError, match="notes.mp4"):
        media.extract_subtitles(not_media, 0)


@pytest.mark.parametrize("size", [0, 10, 3_000_000])
def test_file_checksum(tmp_path, size):
    path = tmp_path / "x.bin"
    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    path.write_bytes(data)
    assert media.file_checksum(path) == f"blake3:{blake3.blake3(data).hexdigest()}"
    assert media.file_checksum(path, "sha256") == f"sha256:{hashlib.sha256(data).hexdigest()}"
    with pytest.raises(ValueError, match="md5"):
        media.file_checksum(path, "md5")


def test_file_checksum_of_a_large_file_on_every_core(tmp_path):
    path = tmp_path / "large.bin"
    data = os.urandom(1 << 20) * (media.THREADED_BYTES // (1 << 20) + 3)
    path.write_bytes(data)
    # In a process of its own: the hashing threads would not survive this one's later forks.
    out = subprocess.run(
        [sys.executable, "-c", "import sys; from medialib.media import file_checksum; "
         "print(file_checksum(sys.argv[1]))", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert out == f"blake3:{blake3.blake3(data).hexdigest()}"
