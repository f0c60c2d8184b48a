"""HLS renditions with real ffmpeg: what ingest builds, how playlists validate, what the player
and /media serve, the `renditions` command on a library made before them, and `check`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from medialib import hls, renditions
from medialib.app import create_app
from medialib.config import Settings
from medialib.media import probe
from tests.hls_support import SECONDS, SLUG, make_hls_library
from tests.ingest_support import cli, kill9, start_paused
from tests.media_fixtures import ffmpeg


@pytest.fixture(scope="module")
def hls_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ingested library per module (copy it before changing it)."""
    return make_hls_library(tmp_path_factory.mktemp("hls") / "library")


@pytest.fixture
def hls_library(hls_template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "library"
    shutil.copytree(hls_template, root, symlinks=True)
    return root


@pytest.fixture
def client(hls_template: Path):
    app = create_app(Settings(library=hls_template))
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["medialib"].close()


def folder_of(root: Path) -> Path:
    return root / "media" / SLUG / renditions.FOLDER


def test_ingest_builds_source_lower_and_audio_renditions(hls_template: Path) -> None:
    folder = folder_of(hls_template)
    manifest = renditions.read_manifest(folder)
    assert manifest is not None
    rows = {r["name"]: r for r in manifest["renditions"]}
    # 640x360: the source is copied, 240p encoded, no 360p (never at or above the source).
    assert set(rows) == {"source", "240p", "audio"}
    assert (rows["source"]["width"], rows["source"]["height"]) == (640, 360)
    assert rows["240p"]["height"] == 240
    source = probe(hls_template / "media" / SLUG / "video.mp4")
    assert source.video is not None
    assert rows["audio"]["average_bandwidth"] < 80_000  # 64 kb/s AAC and its container
    assert rows["240p"]["average_bandwidth"] < rows["source"]["average_bandwidth"]
    variants = hls.read_master_playlist(folder / renditions.MASTER)
    assert [hls.file_of(v.uri) for v in variants] == ["source/index.m3u8", "240p/index.m3u8"]
    for v in variants:
        assert re.fullmatch(r"avc1\.[0-9A-F]{6},mp4a\.40\.2", v.codecs)
        assert v.bandwidth >= (v.average_bandwidth or 0) > 0
        assert v.resolution is not None and v.resolution[1] in (360, 240)
        assert "?v=" in v.uri
    # CODECS name the profile and level each stream's avcC box holds: the source (x264
    # ultrafast) Constrained Baseline at level 3.0, the 240p encode Main.
    assert variants[0].codecs == "avc1.42C01E,mp4a.40.2"
    assert variants[1].codecs.startswith("avc1.4D")
    assert (folder / renditions.LISTEN).is_file() and (folder / renditions.SMALL_POSTER).is_file()


def test_every_playlist_validates_segments_exist_and_durations_add_up(hls_template: Path) -> None:
    folder = folder_of(hls_template)
    manifest = renditions.read_manifest(folder)
    assert manifest is not None
    for row in manifest["renditions"]:
        playlist = hls.read_media_playlist(folder / row["playlist"])
        assert playlist.init is not None and (folder / row["name"] / "init.mp4").is_file()
        assert len(playlist.segments) >= SECONDS // 10
        for segment in playlist.segments:
            assert (playlist.path.parent / hls.file_of(segment.uri)).stat().st_size > 0
            assert segment.duration <= playlist.target_duration + 0.5
        assert abs(playlist.duration - SECONDS) < 0.5
    assert renditions.check(folder, float(SECONDS)) == []


def test_check_names_a_missing_segment_and_a_changed_one(hls_library: Path) -> None:
    folder = folder_of(hls_library)
    assert cli(hls_library, "check").exit_code == 0
    (folder / "240p" / "seg00001.m4s").unlink()
    with open(folder / "audio" / "seg00000.m4s", "ab") as fh:
        fh.write(b"\0")
    result = cli(hls_library, "check")
    assert result.exit_code == 1
    assert "240p/index.m3u8:" in result.stderr and "seg00001.m4s, which is missing" in result.stderr
    assert "audio/seg00000.m4s: does not match its checksum" in result.stderr


def test_playlist_errors_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "index.m3u8"
    path.write_text("#EXTM3U\n#EXT-X-TARGETDURATION:6\nseg0.m4s\n", encoding="utf-8")
    with pytest.raises(hls.PlaylistError, match=r"index\.m3u8:3: 'seg0.m4s' has no #EXTINF"):
        hls.read_media_playlist(path)
    path.write_text("not a playlist\n", encoding="utf-8")
    with pytest.raises(hls.PlaylistError, match=r"index\.m3u8:1: is not an HLS playlist"):
        hls.read_media_playlist(path)
    path.write_text("#EXTM3U\n#EXTINF:6,\n../../secret.m4s\n#EXT-X-ENDLIST\n", encoding="utf-8")
    with pytest.raises(hls.PlaylistError, match="not a file beside it"):
        hls.read_media_playlist(path)


def test_an_audio_item_gets_the_audio_rendition_only(tmp_path: Path) -> None:
    src = tmp_path / "talk.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=300:duration=8", "-c:a", "aac", "-b:a", "96k", src)
    manifest = renditions.build(src, tmp_path / "hls")
    assert [r["name"] for r in manifest["renditions"]] == ["audio"]
    variants = hls.read_master_playlist(tmp_path / "hls" / renditions.MASTER)
    assert [v.codecs for v in variants] == ["mp4a.40.2"] and variants[0].resolution is None
    assert renditions.check(tmp_path / "hls", 8.0) == []


def test_the_player_lists_hls_first_then_the_mp4_and_offers_listen_only(client) -> None:
    html = client.get(f"/webcasts/{SLUG}").get_data(as_text=True)
    sources = re.findall(r'<source src="([^"]+)" type="([^"]+)"', html)
    assert [t for _, t in sources] == ["application/vnd.apple.mpegurl", "video/mp4"]
    assert re.fullmatch(rf"/media/{SLUG}/hls/master\.m3u8\?v=[0-9a-f]{{12}}", sources[0][0])
    assert 'preload="metadata"' in html and "poster-640.jpg" in html
    offer = re.search(r"Listen only <span class=\"meta\">\(uses about (\d+) MB an hour instead "
                      r"of (\d+)\)", html)
    assert offer is not None
    manifest = renditions.read_manifest(folder_of(_library(client)))
    assert manifest is not None
    audio = next(r for r in manifest["renditions"] if r["name"] == "audio")
    mp4_rate = manifest["source_size"] * 8 / manifest["duration"]
    assert int(offer[1]) == round(audio["average_bandwidth"] * 3600 / 8 / 1e6)
    assert int(offer[2]) == round(mp4_rate * 3600 / 8 / 1e6)
    assert f'href="/webcasts/{SLUG}?listen=1"' in html


def _library(client) -> Path:
    return Path(client.application.extensions["medialib"].settings.library)


def test_listen_only_without_script_is_an_audio_element_with_both_sources(client) -> None:
    html = client.get(f"/webcasts/{SLUG}?listen=1&t=6").get_data(as_text=True)
    assert "<video" not in html and '<audio id="player"' in html
    sources = re.findall(r'<source src="([^"]+)" type="([^"]+)"', html)
    assert [t for _, t in sources] == ["application/vnd.apple.mpegurl", "audio/mp4"]
    assert "/hls/audio/index.m3u8?v=" in sources[0][0] and sources[0][0].endswith("#t=6")
    assert "/hls/listen.m4a?v=" in sources[1][0]
    assert 'id="watch-video" href="/webcasts/hls-talk"' in html
    assert 'id="transcript"' in html  # the transcript stays


def test_media_serves_playlists_segments_and_init_with_types_ranges_and_caching(client) -> None:
    html = client.get(f"/webcasts/{SLUG}").get_data(as_text=True)
    master = re.search(r'<source src="([^"]+)" type="application/vnd.apple.mpegurl"', html)
    assert master is not None
    response = client.get(master[1])
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.apple.mpegurl"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    unversioned = client.get(master[1].partition("?")[0])
    assert unversioned.headers["Cache-Control"] == "public, no-cache"
    variant = next(line for line in response.get_data(as_text=True).splitlines()
                   if line.endswith(tuple("0123456789abcdef")) and not line.startswith("#"))
    playlist = client.get(f"/media/{SLUG}/hls/{variant}")
    assert playlist.mimetype == "application/vnd.apple.mpegurl"
    base = f"/media/{SLUG}/hls/{variant.partition('/')[0]}"
    lines = playlist.get_data(as_text=True).splitlines()
    init = re.search(r'URI="([^"]+)"', next(x for x in lines if x.startswith("#EXT-X-MAP")))
    assert init is not None
    assert client.get(f"{base}/{init[1]}").mimetype == "video/mp4"
    segment = next(x for x in lines if x.startswith("seg"))
    whole = client.get(f"{base}/{segment}")
    assert whole.mimetype == "video/iso.segment" and whole.status_code == 200
    assert "max-age=31536000" in whole.headers["Cache-Control"]
    part = client.get(f"{base}/{segment}", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.get_data() == whole.get_data()[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole.get_data())}"


def test_a_library_made_before_renditions_plays_its_mp4_until_they_are_built(
        hls_library: Path) -> None:
    shutil.rmtree(folder_of(hls_library))  # as a library made before renditions has it
    app = create_app(Settings(library=hls_library))
    try:
        html = app.test_client().get(f"/webcasts/{SLUG}").get_data(as_text=True)
        assert re.findall(r'<source src="[^"]+" type="([^"]+)"', html) == ["video/mp4"]
        assert "Listen only" not in html and "?listen=1" not in html
        listen = app.test_client().get(f"/webcasts/{SLUG}?listen=1").get_data(as_text=True)
        assert "<video" in listen  # nothing to listen to yet: the video, as before
        assert cli(hls_library, "check").exit_code == 0
        result = cli(hls_library, "renditions")
        assert result.exit_code == 0, result.stderr
        assert "Built renditions for 1 webcast(s); 0 already had them." in result.stdout
        again = cli(hls_library, "renditions", SLUG)
        assert "Built renditions for 0 webcast(s); 1 already had them." in again.stdout
        html = app.test_client().get(f"/webcasts/{SLUG}").get_data(as_text=True)
        assert "application/vnd.apple.mpegurl" in html and "Listen only" in html
        assert cli(hls_library, "check").exit_code == 0
    finally:
        app.extensions["medialib"].close()


def test_renditions_killed_midway_leave_nothing_half_built_and_resume(hls_library: Path) -> None:
    shutil.rmtree(folder_of(hls_library))
    proc = start_paused(hls_library, "renditions-built", "renditions")
    kill9(proc)
    assert not folder_of(hls_library).exists()  # staged only: the MP4 plays as before
    result = cli(hls_library, "check")
    assert result.exit_code == 0, result.stderr
    assert not (hls_library / ".staging").exists()
    assert cli(hls_library, "renditions").exit_code == 0
    assert renditions.check(folder_of(hls_library), float(SECONDS)) == []


def test_renditions_of_an_unknown_slug_is_an_error_naming_the_catalog(hls_library: Path) -> None:
    result = cli(hls_library, "renditions", "no-such-talk")
    assert result.exit_code == 1 and "catalog.yaml" in result.stderr
    assert "no webcast 'no-such-talk'" in result.stderr


def test_remove_deletes_the_renditions(hls_library: Path) -> None:
    assert cli(hls_library, "remove", SLUG).exit_code == 0
    assert not (hls_library / "media" / SLUG).exists()


def test_manifest_records_a_checksum_for_every_file_served(hls_template: Path) -> None:
    folder = folder_of(hls_template)
    manifest = json.loads((folder / renditions.MANIFEST).read_text(encoding="utf-8"))
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*")
               if p.is_file() and p.name != renditions.MANIFEST}
    assert set(manifest["files"]) == on_disk
    assert all(v.startswith("blake3:") for v in manifest["files"].values())
