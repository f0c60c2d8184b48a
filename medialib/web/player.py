"""The player page, the printable transcript and the WebVTT and text files of one webcast."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext

from .. import models as m
from ..captions import Cue, cues_to_webvtt
from ..chapters import Chapter, ChapterError, chapters_to_webvtt
from ..files import read_inside
from ..search import Hit, SearchUnavailable
from ..slugs import is_slug
from ..transcripts import transcript_path
from . import queries
from .context import library, session, settings
from .downloads import download_name, rebuilt_transcript
from .locale import page_lang
from .params import clean_text, page_number, seconds
from .present import player, transcript_language
from .site import library_title
from .streaming import streams
from .structured import page_meta

bp = Blueprint("player", __name__)


def _webcast(slug: str) -> m.Webcast:
    found = queries.webcast(session(), slug) if is_slug(slug) else None
    if found is None:
        abort(404, description=gettext(
            "We could not find that webcast. It may have been moved or renamed."))
    return found


def _duration(webcast: m.Webcast) -> float:
    """The media's duration, else the end of the last cue or chapter."""
    track = webcast.captions("en")
    ends = [track.cues[-1].end] if track and track.cues else []
    ends += [ch.end for ch in webcast.chapters]
    return webcast.duration or max(ends, default=0.0)


MAX_TALK_MOMENTS = 50  # listed on a player page for its search (?q=)


@dataclass
class TalkSearch:
    """A search within one webcast (?q=), for its player page: its moments in time order."""

    q: str
    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    corrected: bool = False  # the hits are those of `suggestion`: the query found none
    unavailable: bool = False

    @property
    def capped(self) -> bool:
        """There may be more moments than those listed."""
        return len(self.hits) >= MAX_TALK_MOMENTS

    @property
    def shown(self) -> str:
        """The words the hits are for."""
        return self.suggestion if self.corrected and self.suggestion else self.q


def talk_search(slug: str, q: str, lang: str) -> TalkSearch:
    """The moments of webcast `slug` where the words of `q` (or their synonyms) are said, in its
    transcript in language `lang`."""
    found = TalkSearch(q=q)
    try:
        results = library().index.search(q, slug=slug, hits_per_webcast=MAX_TALK_MOMENTS,
                                         lang=lang)
    except SearchUnavailable as exc:
        current_app.logger.warning("search unavailable: %s", exc)
        found.unavailable = True
        return found
    # A suggestion that found nothing here either is no help on this page.
    found.suggestion = results.suggestion if results.corrected else None
    found.corrected = results.corrected
    for result in results.results:
        if result.slug == slug:
            found.hits = sorted(result.hits, key=lambda hit: hit.start)
    return found


@bp.route("/webcasts/<slug>")
def webcast(slug: str) -> str:
    """The player with chapters and the interactive transcript; ?t=SECONDS starts there, and
    ?q=WORDS lists the moments of this webcast where they are said; ?listen=1 plays its audio
    rendition alone (listen only), when it has one."""
    found = _webcast(slug)
    start = seconds(request.args.get("t"), limit=_duration(found))
    shown = player(found, start, part_param(), request.args.get("lang"))
    q = clean_text(request.args.get("q"))
    offered = streams(found)
    return render_template(
        "player.html", p=shown, meta=page_meta(shown, library_title()),
        talk=talk_search(found.slug, q, shown.lang) if q else TalkSearch(q=""), streams=offered,
        listen=bool(offered and offered.can_listen and request.args.get("listen") == "1"),
    )


@bp.route("/webcasts/<slug>/transcript")
def transcript(slug: str) -> str:
    """The printable transcript: title, speakers, date, chapters as headings."""
    return render_template("transcript.html", p=player(_webcast(slug), 0.0, part_param() or 1,
                                                       request.args.get("lang")))


def part_param() -> int | None:
    """?part=N: the transcript part asked for (a long transcript is shown in parts)."""
    return page_number(request.args.get("part")) if request.args.get("part") else None


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/webcasts/<slug>/transcript.txt")
def transcript_txt(slug: str) -> Response:
    """transcripts/<slug>.<lang>.txt as a download (rebuilt from the database if the file is
    gone); ?lang= picks the language as on the transcript page."""
    found = _webcast(slug)
    lang = transcript_language(found, request.args.get("lang")).lang or found.language
    transcripts = settings().transcripts_dir
    name = transcript_path(transcripts, found.slug, lang).name
    body: str | bytes | None = read_inside(transcripts, name)
    if body is None:
        body = rebuilt_transcript(found, lang)
    return _download(body, "text/plain", download_name(found.slug, lang, "txt"))


@bp.route("/webcasts/<slug>/transcript.vtt")
def transcript_vtt(slug: str) -> Response:
    """The captions as WebVTT (?lang= picks the track as on the transcript page): the library's
    file, or rebuilt from the stored cues."""
    found = _webcast(slug)
    lang = transcript_language(found, request.args.get("lang")).lang
    track = found.captions(lang) if lang else None
    if track is None:
        abort(404, description=gettext("This webcast has no captions yet."))
    body: str | bytes | None = read_inside(settings().media_dir, found.slug, track.file)
    if body is None:
        body = cues_to_webvtt([Cue(c.start, c.end, c.text, c.speaker) for c in track.cues])
    response = Response(body, mimetype="text/vtt")
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{download_name(found.slug, track.lang, "vtt")}"')
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/webcasts/<slug>/chapters.vtt")
def chapters_vtt(slug: str) -> Response:
    """The chapters track (kind="chapters") as WebVTT, its titles in the page's language."""
    found = _webcast(slug)
    titles = found.text(page_lang()).chapters
    chapters = [Chapter(ch.start, title) for ch, title in zip(found.chapters, titles, strict=True)]
    duration = _duration(found)
    if chapters and duration <= chapters[-1].start:
        duration = chapters[-1].start + 1
    try:
        body = chapters_to_webvtt(chapters, duration)
    except ChapterError:
        body = "WEBVTT\n"
    response = Response(body, mimetype="text/vtt")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
