"""/media/<path>: byte ranges, validators, MIME types, and nothing outside the media folder."""

from __future__ import annotations

import pytest

from medialib.config import Settings
from medialib.web.media import resolve_media, safe_relative
from tests.web_fixtures import MEDIA_BYTES

VIDEO = "/media/evil-talk/video.mp4"
SIZE = len(MEDIA_BYTES)


def test_whole_file(hostile_client) -> None:
    response = hostile_client.get(VIDEO)
    assert response.status_code == 200
    assert response.data == MEDIA_BYTES
    assert response.headers["Content-Type"] == "video/mp4"
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"].endswith("GMT")
    assert "Content-Encoding" not in response.headers


@pytest.mark.parametrize(
    ("path", "mime"),
    [
        ("/media/evil-talk/video.mp4", "video/mp4"),
        ("/media/plain-audio/audio.m4a", "audio/mp4"),
        ("/media/evil-talk/captions.en.vtt", "text/vtt; charset=utf-8"),
        ("/media/evil-talk/poster.jpg", "image/jpeg"),
    ],
)
def test_mime_types(hostile_client, path: str, mime: str) -> None:
    response = hostile_client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == mime
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_head_has_length_and_no_body(hostile_client) -> None:
    response = hostile_client.head(VIDEO)
    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(SIZE)
    assert response.data == b""


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, SIZE - 1),
        ("bytes=-256", SIZE - 256, SIZE - 1),
        ("bytes=10000-99999999999", 10000, SIZE - 1),
        ("bytes=-99999", 0, SIZE - 1),
    ],
)
def test_single_range_is_206(hostile_client, header: str, first: int, last: int) -> None:
    response = hostile_client.get(VIDEO, headers={"Range": header})
    assert response.status_code == 206
    assert response.data == MEDIA_BYTES[first : last + 1]
    assert response.headers["Content-Range"] == f"bytes {first}-{last}/{SIZE}"
    assert response.headers["Content-Length"] == str(last - first + 1)
    assert response.headers["Content-Type"] == "video/mp4"


@pytest.mark.parametrize(
    "header",
    ["bytes=10240-", "bytes=99999-", "bytes=-0", "bytes=50-10", "bytes=abc", "bytes=", "bytes=--",
     "bytes=0-1,x", "pages 0-1", "bytes=" + "1" * 5000],
)
def test_bad_or_unsatisfiable_range_is_416(hostile_client, header: str) -> None:
    response = hostile_client.get(VIDEO, headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{SIZE}"
    assert MEDIA_BYTES[:50] not in response.data


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "bytes=0-0,-1", "items=0-5"])
def test_multiple_ranges_or_other_units_answer_the_whole_file(hostile_client, header: str) -> None:
    response = hostile_client.get(VIDEO, headers={"Range": header})
    assert response.status_code == 200
    assert response.data == MEDIA_BYTES


def test_head_range(hostile_client) -> None:
    response = hostile_client.head(VIDEO, headers={"Range": "bytes=0-9"})
    assert response.status_code == 206
    assert response.headers["Content-Length"] == "10"
    assert response.headers["Content-Range"] == f"bytes 0-9/{SIZE}"


def test_conditional_get(hostile_client) -> None:
    first = hostile_client.get(VIDEO)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert hostile_client.get(VIDEO, headers={"If-None-Match": etag}).status_code == 304
    assert hostile_client.get(VIDEO, headers={"If-None-Match": "*"}).status_code == 304
    assert hostile_client.get(VIDEO, headers={"If-None-Match": '"other"'}).status_code == 200
    assert hostile_client.get(VIDEO, headers={"If-Modified-Since": modified}).status_code == 304
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert hostile_client.get(VIDEO, headers={"If-Modified-Since": old}).status_code == 200
    garbage = hostile_client.get(VIDEO, headers={"If-Modified-Since": "yesterday-ish"})
    assert garbage.status_code == 200
    assert hostile_client.get(VIDEO, headers={"If-Match": '"other"'}).status_code == 412
    assert hostile_client.get(VIDEO, headers={"If-Match": etag}).status_code == 200


def test_if_range(hostile_client) -> None:
    etag = hostile_client.head(VIDEO).headers["ETag"]
    same = hostile_client.get(VIDEO, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert same.status_code == 206
    changed = hostile_client.get(VIDEO, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert changed.status_code == 200
    assert changed.data == MEDIA_BYTES


def test_symlink_inside_the_media_folder_is_served(hostile_client) -> None:
    assert hostile_client.get("/media/evil-talk/inside.mp4").data == MEDIA_BYTES


TRAVERSALS = [
    "/media/../catalog.yaml",
    "/media/evil-talk/../../catalog.yaml",
    "/media/%2e%2e/catalog.yaml",
    "/media/%2E%2E/%2E%2E/etc/passwd",
    "/media/evil-talk/%2e%2e%2f%2e%2e%2fsecret.mp4",
    "/media/..%2fsecret.mp4",
    "/media/evil-talk%2f..%2f..%2fsecret.mp4",
    "/media/%252e%252e/secret.mp4",
    "/media//etc/passwd",
    "/media///etc/passwd",
    "/media/evil-talk//video.mp4",
    "/media/%2fetc/passwd",
    "/media/%2Fetc%2Fpasswd",
    "/media/evil-talk/video.mp4%00.jpg",
    "/media/evil-talk/%00",
    "/media/evil-talk/..%5c..%5csecret.mp4",
    "/media/evil-talk/.hidden.mp4",
    "/media/.staging/video.mp4",
    "/media/evil-talk/escape.mp4",
    "/media/evil-talk/escape-dir/secret.mp4",
    "/media/evil-talk/escape-dir/catalog.yaml",
    "/media/evil-talk/notes.txt",
    "/media/evil-talk/",
    "/media/evil-talk",
    "/media/",
    "/media/evil-talk/" + "a" * 300 + ".mp4",
    "/media/" + "/".join(["a"] * 600) + ".mp4",
    "/media/evil-talk/nothing.mp4",
    "/media/evil-talk/video.mp4/",
    "/media/evil-talk/video.mp4/..",
    "/media/C:/Windows/win.ini",
    "/media/evil-talk/video.mp4:stream.mp4",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_attempts_are_404(hostile_client, path: str) -> None:
    response = hostile_client.get(path)
    assert response.status_code in (400, 404), path
    assert b"SECRET" not in response.data
    assert b"webcasts:" not in response.data  # catalog.yaml
    assert b"root:" not in response.data  # /etc/passwd
    assert b"a dotfile" not in response.data and b"staged" not in response.data


@pytest.mark.parametrize(
    "relpath",
    ["", ".", "..", "a/../b.mp4", "/etc/passwd.mp4", "a//b.mp4", "a\\b.mp4", "a\x00.mp4",
     ".x.mp4", "a/.b/c.mp4", "x.txt", "x.mp4/", "a\x7f.mp4", "c:x.mp4"],
)
def test_safe_relative_rejects(relpath: str) -> None:
    assert safe_relative(relpath) is None


def test_resolve_media_checks_containment(hostile_library_dir) -> None:
    media_dir = Settings(library=hostile_library_dir).media_dir
    assert resolve_media(media_dir, "evil-talk/video.mp4") is not None
    assert resolve_media(media_dir, "evil-talk/escape.mp4") is None
    assert resolve_media(media_dir, "evil-talk/escape-dir/secret.mp4") is None
    assert resolve_media(media_dir / "missing", "evil-talk/video.mp4") is None


def test_writes_are_405(hostile_client) -> None:
    for method in ("post", "put", "delete", "patch"):
        response = getattr(hostile_client, method)(VIDEO)
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"]


def test_accel_redirect(make_app, hostile_library_dir) -> None:
    app = make_app(Settings(library=hostile_library_dir, accel_redirect="/_media/"))
    client = app.test_client()
    response = client.get(VIDEO, headers={"Range": "bytes=0-9"})
    assert response.status_code == 200
    assert response.headers["X-Accel-Redirect"] == "/_media/evil-talk/video.mp4"
    assert response.headers["Content-Type"] == "video/mp4"
    assert response.data == b""
    assert client.get("/media/evil-talk/escape.mp4").status_code == 404
    assert "X-Accel-Redirect" not in client.get("/media/../catalog.yaml").headers
