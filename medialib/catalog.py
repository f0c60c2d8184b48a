"""catalog.yaml <-> typed objects, with round-trip edits; CatalogError names file, line and entry.

The catalog is the source of truth of a library. People edit it by hand and the command line edits
it too, so every edit goes through ruamel.yaml's round-trip mode: comments, key order and the
formatting of untouched entries survive. Saving is atomic (a temporary file renamed into place).
"""

from __future__ import annotations

import difflib
import io
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from .chapters import Chapter
from .errors import LocatedError
from .files import write_atomic
from .provenance import HUMAN, MedicalReview, caption_provenance, medical_review, track_fields
from .slugs import slug_problem, slugify
from .translated import (
    DEFAULT_LANGUAGE,
    SeriesText,
    SeriesTranslation,
    TopicText,
    TopicTranslation,
    WebcastText,
    WebcastTranslation,
    language_problem,
    resource_fields,
    series_text,
    series_translations,
    title_translations,
    topic_text,
    topic_translations,
    variants,
    webcast_text,
    webcast_translation_fields,
    webcast_translations,
)

KINDS = ("video", "audio")


class CatalogError(LocatedError):
    """The catalog is wrong; the message names the file, the line and the entry at fault."""


NEAR_MISS = 0.85  # difflib ratio above which a new topic or series id is taken for a typo


@dataclass(frozen=True)
class Speaker:
    id: str
    name: str
    credentials: str = ""

    @property
    def display(self) -> str:
        """"Name, Credentials" as people write it."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    description: str = ""
    synonyms: tuple[str, ...] = ()
    translations: tuple[TopicTranslation, ...] = ()

    def text(self, lang: str) -> TopicText:
        """Its name, description and synonyms in `lang`, or the original's."""
        return topic_text(DEFAULT_LANGUAGE, self.name, self.description, self.synonyms,
                          self.translations, lang)


@dataclass(frozen=True)
class Series:
    id: str
    title: str
    description: str = ""
    translations: tuple[SeriesTranslation, ...] = ()

    def text(self, lang: str) -> SeriesText:
        return series_text(DEFAULT_LANGUAGE, self.title, self.description, self.translations,
                           lang)


@dataclass(frozen=True)
class Resource:
    title: str
    url: str
    description: str = ""


@dataclass(frozen=True)
class MediaFile:
    """The web-ready media file of a webcast, inside media/<slug>/."""

    file: str
    type: str
    duration: float | None = None
    size: int | None = None
    checksum: str | None = None  # "blake3:<hex>" (see media.file_checksum)
    width: int | None = None
    height: int | None = None
    video_codec: str | None = None
    audio_codec: str | None = None


@dataclass(frozen=True)
class CaptionTrack:
    """A normalized WebVTT caption file of one language, inside media/<slug>/."""

    lang: str
    file: str
    label: str = ""
    checksum: str | None = None
    source: str = HUMAN  # human | machine | machine-reviewed (see provenance)
    reviewed_by: str | None = None
    reviewed_on: str | None = None


@dataclass(frozen=True)
class Webcast:
    slug: str
    title: str
    media: MediaFile
    kind: str = "video"
    summary: str = ""
    speakers: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    series: str | None = None
    part: int | None = None
    recorded: str | None = None
    poster: str | None = None
    poster_checksum: str | None = None
    captions: tuple[CaptionTrack, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    resources: tuple[Resource, ...] = ()
    medical_review: MedicalReview | None = None
    language: str = DEFAULT_LANGUAGE  # the language spoken
    translations: tuple[WebcastTranslation, ...] = ()
    line: int | None = field(default=None, compare=False)

    def text(self, lang: str) -> WebcastText:
        """Its title, summary, chapter titles and resources in `lang`, or the original's."""
        return webcast_text(self.language, self.title, self.summary,
                            lambda: (c.title for c in self.chapters), lambda: self.resources,
                            self.translations, lang)

    def chapters_in(self, lang: str) -> tuple[Chapter, ...]:
        """Its chapters with their titles in `lang` (the original's where not translated)."""
        return tuple(replace(c, title=title)
                     for c, title in zip(self.chapters, self.text(lang).chapters, strict=True))

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages it can be read in: its own, then each translation's."""
        return (self.language, *(t.lang for t in self.translations if t.lang != self.language))


def parse_speaker(text: str) -> tuple[str, str]:
    """"Name, Credentials" -> (name, credentials); credentials may themselves hold commas."""
    name, _, credentials = text.partition(",")
    return name.strip(), credentials.strip()


def _yaml() -> YAML:
    yaml = YAML()  # round-trip mode
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never rewrap lines people wrote
    return yaml


def _line(node: Any, key: Any = None) -> int | None:
    """1-based line of a node (or of one key inside a mapping), when ruamel knows it."""
    try:
        if key is not None and isinstance(node, CommentedMap):
            return int(node.lc.key(key)[0]) + 1
        return int(node.lc.line) + 1
    except (AttributeError, KeyError, TypeError):
        return None


class Catalog:
    """A loaded catalog: typed views for reading, and round-trip edits that keep comments."""

    def __init__(self, path: Path, data: CommentedMap):
        self.path = Path(path)
        self.data = data
        self.speakers: dict[str, Speaker] = {}
        self.topics: dict[str, Topic] = {}
        self.series: dict[str, Series] = {}
        self.webcasts: dict[str, Webcast] = {}
        self._parse()

    # ---- loading ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | str) -> Catalog:
        """Read and validate a catalog file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CatalogError(path, "no catalog here (run `medialib init` first)") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CatalogError(path, f"cannot read: {exc}") from None
        return cls.from_text(text, path)

    @classmethod
    def from_text(cls, text: str, path: Path | str = "catalog.yaml") -> Catalog:
        try:
            data = _yaml().load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise CatalogError(path, f"not valid YAML: {problem}", line) from None
        if data is None:
            data = CommentedMap()
        if not isinstance(data, CommentedMap):
            raise CatalogError(path, "the catalog must be a mapping with a `webcasts` key", 1)
        return cls(Path(path), data)

    @classmethod
    def empty(cls, path: Path | str, title: str = "Webcast library") -> Catalog:
        text = (
            "# medialib catalog: the source of truth of this library.\n"
            "# Edit by hand or with `medialib ingest`; comments and order are kept.\n"
            f"library:\n  title: {title}\n"
            "speakers: {}\ntopics: {}\nseries: {}\nwebcasts: {}\n"
        )
        return cls.from_text(text, path)

    def _section(self, name: str) -> CommentedMap:
        value = self.data.get(name)
        if value is None:
            value = CommentedMap()
            self.data[name] = value
        if not isinstance(value, CommentedMap):
            raise CatalogError(self.path, f"`{name}` must be a mapping", _line(self.data, name))
        return value

    def _err(self, message: str, node: Any, key: Any = None) -> CatalogError:
        return CatalogError(self.path, message, _line(node, key))

    def _parse(self) -> None:
        for sid, entry in self._section("speakers").items():
            entry = self._mapping(entry, f"speaker {sid!r}", self.data["speakers"], sid)
            name = self._text(entry, "name", f"speaker {sid!r}", required=True)
            self.speakers[str(sid)] = Speaker(str(sid), name, self._text(entry, "credentials"))
        for tid, entry in self._section("topics").items():
            entry = self._mapping(entry, f"topic {tid!r}", self.data["topics"], tid)
            synonyms = entry.get("synonyms") or []
            if not isinstance(synonyms, list):
                raise self._err(f"topic {tid!r}: `synonyms` must be a list", entry, "synonyms")
            self.topics[str(tid)] = Topic(
                str(tid),
                self._text(entry, "name", f"topic {tid!r}", required=True),
                self._text(entry, "description"),
                tuple(str(s) for s in synonyms),
                topic_translations(entry, f"topic {tid!r}", self._failing),
            )
        for sid, entry in self._section("series").items():
            entry = self._mapping(entry, f"series {sid!r}", self.data["series"], sid)
            self.series[str(sid)] = Series(
                str(sid),
                self._text(entry, "title", f"series {sid!r}", required=True),
                self._text(entry, "description"),
                series_translations(entry, f"series {sid!r}", self._failing),
            )
        library = self.data.get("library")
        self.titles = (
            title_translations(library, self._failing) if isinstance(library, CommentedMap)
            else {}
        )
        for slug, entry in self._section("webcasts").items():
            self.webcasts[str(slug)] = self._webcast(str(slug), entry)

    def _mapping(self, entry: Any, what: str, parent: Any, key: Any) -> CommentedMap:
        if not isinstance(entry, CommentedMap):
            raise self._err(f"{what} must be a mapping", parent, key)
        return entry

    def _failing(self, node: Any) -> Any:
        """A CatalogError maker naming the line of a key of `node` (for provenance)."""
        return lambda message, key: CatalogError(
            self.path, message, _line(node, key) or _line(node)
        )

    def _text(self, entry: CommentedMap, key: str, what: str = "", required: bool = False) -> str:
        value = entry.get(key)
        if value is None or value == "":
            if required:
                raise self._err(f"{what}: `{key}` is required", entry)
            return ""
        if isinstance(value, (dict, list)):
            raise self._err(f"{what}: `{key}` must be text", entry, key)
        return str(value)

    def _webcast(self, slug: str, entry: Any) -> Webcast:
        what = f"webcast {slug!r}"
        entry = self._mapping(entry, what, self.data["webcasts"], slug)
        if problem := slug_problem(slug):
            raise self._err(f"{what}: {problem}", entry)
        kind = self._text(entry, "kind") or "video"
        if kind not in KINDS:
            raise self._err(f"{what}: `kind` must be video or audio", entry, "kind")
        speakers = tuple(str(s) for s in (entry.get("speakers") or []))
        for sid in speakers:
            if sid not in self.speakers:
                raise self._err(f"{what}: unknown speaker {sid!r}", entry, "speakers")
        topics = tuple(str(t) for t in (entry.get("topics") or []))
        for tid in topics:
            if tid not in self.topics:
                raise self._err(f"{what}: unknown topic {tid!r}", entry, "topics")
        series = entry.get("series")
        if series is not None and str(series) not in self.series:
            raise self._err(f"{what}: unknown series {series!r}", entry, "series")
        media = entry.get("media")
        if not isinstance(media, CommentedMap) or not media.get("file"):
            raise self._err(f"{what}: `media` needs a `file`", entry)
        try:
            media_file = MediaFile(
                file=str(media["file"]),
                type=str(media.get("type") or ("audio/mp4" if kind == "audio" else "video/mp4")),
                duration=_opt(float, media.get("duration")),
                size=_opt(int, media.get("size")),
                checksum=_checksum(media, "checksum"),
                width=_opt(int, media.get("width")),
                height=_opt(int, media.get("height")),
                video_codec=_opt(str, media.get("video_codec")),
                audio_codec=_opt(str, media.get("audio_codec")),
            )
            captions = tuple(
                CaptionTrack(
                    lang=str(c["lang"]),
                    file=str(c["file"]),
                    label=str(c.get("label") or ""),
                    checksum=_checksum(c, "checksum"),
                    **caption_provenance(c, f"{what}: {c['lang']} captions",
                                         self._failing(c)),
                )
                for c in (entry.get("captions") or [])
            )
            chapters = tuple(
                Chapter(start=float(c["start"]), title=str(c["title"]))
                for c in (entry.get("chapters") or [])
            )
            resources = tuple(_resource(r) for r in (entry.get("resources") or []))
            part = _opt(int, entry.get("part"))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self._err(f"{what}: malformed entry ({exc})", entry) from None
        for a, b in zip(chapters, chapters[1:], strict=False):
            if b.start <= a.start:
                raise self._err(f"{what}: chapter times must increase", entry, "chapters")
        for name in [media_file.file, *(c.file for c in captions), entry.get("poster") or "x"]:
            if "/" in str(name) or "\\" in str(name) or str(name).startswith("."):
                raise self._err(f"{what}: file names are plain names inside media/{slug}/", entry)
        recorded = entry.get("recorded")
        review = medical_review(entry, what, self._failing(entry))
        language = entry.get("language", DEFAULT_LANGUAGE)
        if problem := language_problem(language):
            raise self._err(f"{what}: `language`: {problem}", entry, "language")
        return Webcast(
            slug=slug,
            title=self._text(entry, "title", what, required=True),
            media=media_file,
            kind=kind,
            summary=self._text(entry, "summary"),
            speakers=speakers,
            topics=topics,
            series=str(series) if series is not None else None,
            part=part,
            recorded=str(recorded) if recorded is not None else None,
            poster=_opt(str, entry.get("poster")),
            poster_checksum=_checksum(entry, "poster_checksum"),
            captions=captions,
            chapters=chapters,
            resources=resources,
            medical_review=review,
            language=language,
            translations=webcast_translations(
                entry, what, self._failing, len(chapters), _resource
            ),
            line=_line(self.data["webcasts"], slug),
        )

    # ---- reading ---------------------------------------------------------------------------

    @property
    def title(self) -> str:
        lib = self.data.get("library")
        if isinstance(lib, dict) and lib.get("title"):
            return str(lib["title"])
        return "Webcast library"

    def title_in(self, lang: str) -> str:
        """The library's title in `lang`, or the original's."""
        return next((self.titles[v] for v in variants(lang) if v in self.titles), self.title)

    def webcasts_in_series(self, series_id: str) -> list[Webcast]:
        return sorted(
            (w for w in self.webcasts.values() if w.series == series_id),
            key=lambda w: (w.part or 0, w.slug),
        )

    # ---- editing (round-trip) --------------------------------------------------------------

    def ensure_speaker(self, text: str) -> tuple[Speaker, bool]:
        """Match "Name, Credentials" to a speaker by id or name, or add it; (speaker, added)."""
        name, credentials = parse_speaker(text)
        if not name:
            raise CatalogError(self.path, f"a speaker needs a name: {text!r}")
        sid = slugify(name)
        for speaker in self.speakers.values():
            if speaker.id == sid or speaker.name.casefold() == name.casefold():
                return speaker, False
        entry = CommentedMap(name=name)
        if credentials:
            entry["credentials"] = credentials
        self._section("speakers")[sid] = entry
        self.speakers[sid] = Speaker(sid, name, credentials)
        return self.speakers[sid], True

    def ensure_topic(self, topic_id: str) -> tuple[Topic, bool]:
        """The topic with this id, added with a name made from the id if new; (topic, added)."""
        tid = slugify(topic_id)
        if not tid:
            raise CatalogError(self.path, f"a topic id needs letters or digits: {topic_id!r}")
        if tid in self.topics:
            return self.topics[tid], False
        self._refuse_near_miss("topic", topic_id, tid, self.topics)
        name = tid.replace("-", " ").capitalize()
        self._section("topics")[tid] = CommentedMap(name=name, description="")
        self.topics[tid] = Topic(tid, name)
        return self.topics[tid], True

    def ensure_series(self, series_id: str) -> tuple[Series, bool]:
        """The series with this id, added with a title made from the id if new; (series, added)."""
        sid = slugify(series_id)
        if not sid:
            raise CatalogError(self.path, f"a series id needs letters or digits: {series_id!r}")
        if sid in self.series:
            return self.series[sid], False
        self._refuse_near_miss("series", series_id, sid, self.series)
        title = sid.replace("-", " ").capitalize()
        self._section("series")[sid] = CommentedMap(title=title)
        self.series[sid] = Series(sid, title)
        return self.series[sid], True

    def _refuse_near_miss(self, what: str, given: str, key: str, known: dict[str, Any]) -> None:
        """CatalogError when a new id is one letter or so from one that exists: a typo would
        publish a misspelled page beside the real one."""
        near = difflib.get_close_matches(key, list(known), n=1, cutoff=NEAR_MISS)
        if near:
            raise CatalogError(self.path, f"no {what} {given!r}; did you mean {near[0]!r}? "
                               f"(to make a new {what} this close to it, add it to "
                               f"{self.path.name} first)")

    def put_webcast(self, webcast: Webcast) -> None:
        """Add or replace a webcast entry; a replaced entry keeps its place and its comments."""
        section = self._section("webcasts")
        entry = section.get(webcast.slug)
        if not isinstance(entry, CommentedMap):
            entry = CommentedMap()
            section[webcast.slug] = entry
        fields = _webcast_fields(webcast)
        if fields["language"] is None and "language" in entry:
            fields["language"] = webcast.language  # written by hand: kept
        _fill(entry, fields)
        self.webcasts[webcast.slug] = self._webcast(webcast.slug, entry)

    def webcast(self, slug: str) -> Webcast:
        """The webcast `slug`; CatalogError naming the catalog if there is none."""
        if slug not in self.webcasts:
            raise CatalogError(self.path, f"no webcast {slug!r} in the catalog")
        return self.webcasts[slug]

    def remove_webcast(self, slug: str) -> Webcast:
        section = self._section("webcasts")
        if slug not in section:
            raise CatalogError(self.path, f"no webcast {slug!r} in the catalog")
        del section[slug]
        return self.webcasts.pop(slug)

    def dump(self) -> str:
        buf = io.StringIO()
        _yaml().dump(self.data, buf)
        return buf.getvalue()

    def save(self, path: Path | str | None = None) -> None:
        """Write the catalog atomically: a temporary file beside it, fsynced, renamed into place."""
        write_atomic(Path(path or self.path), self.dump().encode("utf-8"))


def _checksum(entry: Any, key: str) -> str | None:
    """A recorded checksum, "algorithm:hex". Entries written before checksums named their
    algorithm hold a bare SHA-256 under `sha256` (or `poster_sha256`)."""
    value = entry.get(key)
    if value is not None:
        return str(value)
    legacy = entry.get(key.replace("checksum", "sha256"))
    return f"sha256:{legacy}" if legacy is not None else None


def _resource(r: Any) -> Resource:
    return Resource(str(r["title"]), str(r["url"]), str(r.get("description") or ""))


def _opt(kind: Any, value: Any) -> Any:
    return None if value is None or value == "" else kind(value)


def _webcast_fields(w: Webcast) -> dict[str, Any]:
    """The catalog entry of a webcast as ordered plain data (None values are left out)."""
    media = {
        "file": w.media.file,
        "type": w.media.type,
        "duration": round(w.media.duration, 3) if w.media.duration is not None else None,
        "size": w.media.size,
        "width": w.media.width,
        "height": w.media.height,
        "video_codec": w.media.video_codec,
        "audio_codec": w.media.audio_codec,
        "checksum": w.media.checksum,
    }
    return {
        "title": w.title,
        "summary": w.summary or None,
        "kind": w.kind,
        "language": w.language if w.language != DEFAULT_LANGUAGE else None,
        "speakers": list(w.speakers),
        "topics": list(w.topics),
        "series": w.series,
        "part": w.part,
        "recorded": w.recorded,
        "media": {k: v for k, v in media.items() if v is not None},
        "poster": w.poster,
        "poster_checksum": w.poster_checksum,
        "captions": [
            {k: v for k, v in (("lang", c.lang), ("file", c.file), ("label", c.label or None),
                               ("checksum", c.checksum), *track_fields(c)) if v is not None}
            for c in w.captions
        ],
        "medical_review": w.medical_review.as_dict() if w.medical_review else None,
        "chapters": [{"start": _num(c.start), "title": c.title} for c in w.chapters],
        "resources": [resource_fields(r) for r in w.resources],
        "translations": {t.lang: webcast_translation_fields(t) for t in w.translations},
    }


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 3)


def _fill(entry: CommentedMap, values: dict[str, Any]) -> None:
    """Update a round-trip mapping in place: keep known keys' places, drop emptied ones."""
    for key, value in values.items():
        if value is None or value == [] or value == {}:
            entry.pop(key, None)
            continue
        entry[key] = _to_yaml(value, entry.get(key))
    # Keys the catalog gained by hand but that the entry no longer has are kept as they are.


def _to_yaml(value: Any, old: Any) -> Any:
    if isinstance(value, dict):
        node = old if isinstance(old, CommentedMap) else CommentedMap()
        for key in list(node):
            if key not in value:
                del node[key]
        for key, item in value.items():
            node[key] = _to_yaml(item, node.get(key))
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_to_yaml(item, None) for item in value)
        if value and all(isinstance(v, str) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value
