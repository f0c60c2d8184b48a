"""WebVTT/SRT in any common encoding -> cues (speaker, text, times); CaptionError names the line.

Written here rather than using webvtt-py (the product owner's choice of library), for reasons
measured by bench/captions_bench.py (bench/RESULTS.md, "Captions"): of eight faulty files
webvtt-py 0.6 accepts six without a word (a bad timestamp, minutes over 59, an end before its
start, stray text, a NUL byte, a header with no cues: cues dropped or kept as they are) and
names no line in the two it refuses, where staff need the file and line to fix; it cannot read a
Windows-1252 file (UnicodeDecodeError), rounds times to whole seconds and leaves "&amp;" in the
text. This module refuses each of those with its line (and reads a file that starts with a timing
line as SRT, on purpose), reads every encoding tried, and is no slower: 15-35% faster on a
one-hour file in the runs here. The demo reads its captions through this module too, so nothing
in medialib uses webvtt-py; it stays only as the benchmark's yardstick (pyproject's `bench`).
"""

from __future__ import annotations

import codecs
import html
import math
import re
from collections import Counter
from collections.abc import Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path

from .caption_limits import CaptionLimitError, check_caption_size, check_cue_rate
from .errors import MedialibError


@dataclass(frozen=True)
class Cue:
    """One caption cue: plain text (markup removed), its speaker if known, times in seconds."""

    start: float
    end: float
    text: str
    speaker: str | None = None


class CaptionError(MedialibError):
    """A caption file that cannot be used, naming the file and (when known) the 1-based line."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.path, self.line, self.message = path, line, message
        self.problems: tuple[CaptionError, ...] = (self,)  # every problem found, in line order

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"

    @classmethod
    def every(cls, path: str, problems: Sequence[CaptionError]) -> CaptionError:
        """One refusal listing every problem of a file (file:line: what is wrong), the first
        MAX_LISTED of them and a count of the rest; a single problem reads as it always did."""
        ordered = sorted(problems, key=lambda problem: problem.line or 0)
        if len(ordered) == 1:
            return ordered[0]
        listed = [f"  {problem}" for problem in ordered[:MAX_LISTED]]
        if len(ordered) > MAX_LISTED:
            listed.append(f"  and {len(ordered) - MAX_LISTED} more")
        error = cls(path, ordered[0].line,
                    f"{len(ordered)} problems in this caption file:\n" + "\n".join(listed))
        error.problems = tuple(ordered)
        return error


MAX_LISTED = 20  # problems listed in one refusal; the rest are counted


# --- timestamps -----------------------------------------------------------------------------

_TS = r"(?:[0-9]+:)?[0-9]{1,2}:[0-9]{1,2}(?:[.,][0-9]{1,3})?"
_TIMESTAMP = re.compile(r"\s*(?:([0-9]+):)?([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]{1,3}))?\s*")
# Whitespace in a timing line is spaces and tabs only (the WebVTT specification): a line padded
# with vertical tabs or no-break spaces is not a timing line.
_TIMING = re.compile(rf"[ \t]*({_TS})[ \t]*-->[ \t]*({_TS})(?:[ \t].*)?")
_TIMEISH = re.compile(r"\s*[0-9]{1,2}:[0-9]")
_MAX_HOURS = 99_999  # far beyond any recording; keeps hostile input from making huge numbers


def parse_timestamp(text: str) -> float:
    """Seconds from "MM:SS.mmm", "HH:MM:SS.mmm" or SRT's "HH:MM:SS,mmm" (fraction optional)."""
    match = _TIMESTAMP.fullmatch(text)
    if not match:
        raise ValueError(f"not a timestamp: {text.strip()!r}")
    hours, minutes, seconds, fraction = match.groups()
    if int(minutes) > 59 or int(seconds) > 59:
        raise ValueError(f"minutes and seconds must be under 60 in {text.strip()!r}")
    if hours is not None and int(hours) > _MAX_HOURS:
        raise ValueError(f"more than {_MAX_HOURS} hours in {text.strip()!r}")
    whole = (int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)
    # Whole milliseconds / 1000: equal cues after a round trip through cues_to_webvtt.
    return (whole * 1000 + int((fraction or "0").ljust(3, "0"))) / 1000


def format_timestamp(seconds: float) -> str:
    """Timestamp "HH:MM:SS.mmm" of a time in seconds, rounded to the millisecond."""
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"not a time in seconds: {seconds!r}")
    hours, rest = divmod(round(seconds * 1000), 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


# --- decoding -------------------------------------------------------------------------------

# UTF-32 first: its little-endian BOM begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_caption_bytes(data: bytes, source: str) -> str:
    """Text of a caption file: UTF-8/16/32 by BOM, else UTF-8, else Windows-1252; LF newlines."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return _normalize(body.decode(encoding), source)
            except UnicodeDecodeError as error:
                line = body[: error.start].decode(encoding, "replace").count("\n") + 1
                raise CaptionError(source, line, f"not valid {encoding.upper()} text") from None
    try:
        return _normalize(data.decode("utf-8"), source)
    except UnicodeDecodeError:
        return _normalize(_decode_legacy(data), source)


def _decode_legacy(data: bytes) -> str:
    """Windows-1252 for Western text; charset-normalizer's guess when that reads as gibberish."""
    try:
        text: str | None = data.decode("cp1252")
    except UnicodeDecodeError:  # bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D are unassigned in cp1252
        text = None
    if text is not None and _looks_western(text):
        return text
    # charset-normalizer prefers other Latin code pages on short Western text, so it is only
    # asked when cp1252 gives mostly accented letters (Cyrillic, Greek, CJK bytes).
    import charset_normalizer  # rarely needed, and slow to load

    best = charset_normalizer.from_bytes(data).best()
    if best is not None and not best.encoding.startswith("utf"):
        return str(best)
    return text if text is not None else data.decode("cp1252", errors="replace")


def _looks_western(text: str) -> bool:
    """True when most letters are ASCII, as in English, French, German or Spanish text."""
    letters = [c for c in text if c.isalpha()]
    return sum(ord(c) > 127 for c in letters) <= 0.4 * len(letters)


def _normalize(text: str, source: str) -> str:
    """LF newlines, no BOM; NUL characters refused (binary data or UTF-16 without a BOM)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        message = "contains NUL bytes: not a text file (or UTF-16 without a byte order mark)"
        raise CaptionError(source, line, message)
    return text


def caption_text(data: bytes | str, source: str) -> str:
    """Normalized text of caption bytes (decoded) or of a string (newlines and BOM fixed)."""
    if isinstance(data, bytes | bytearray):
        return decode_caption_bytes(bytes(data), source)
    return _normalize(data, source)


# --- cue blocks: structure, times, line numbers -------------------------------------------


@dataclass
class CueBlock:
    """A cue as written: the 1-based line of its timing line, its times, its raw text lines."""

    line: int
    start: float
    end: float
    lines: list[str] = field(default_factory=list)


_TIMING_EXAMPLE = '"00:00:01.000 --> 00:00:04.000"'


def is_webvtt_header(line: str) -> bool:
    """True for a WebVTT signature line: "WEBVTT", optionally followed by a space and text."""
    return re.match(r"WEBVTT(?:[ \t]|$)", line.strip()) is not None


def _looks_srt(lines: list[str], first: int) -> bool:
    """SRT starts with a cue number and a timing line (or, numbers left out, a timing line)."""
    head = lines[first]
    nxt = lines[first + 1] if first + 1 < len(lines) else ""
    return "-->" in head or (
        head.strip().isdigit() and ("-->" in nxt or _TIMEISH.match(nxt) is not None)
    )


def read_cue_blocks(text: str, source: str) -> list[CueBlock]:
    """Cue blocks of normalized WebVTT or SRT text (detected by content), in file order."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise CaptionError(source, 1, "the file is empty")
    if is_webvtt_header(lines[first]):
        return _webvtt_blocks(lines, first, source)
    if _looks_srt(lines, first):
        return _srt_blocks(lines, first, source)
    message = (
        'not a WebVTT or SRT caption file: expected a "WEBVTT" header line, or an SRT cue '
        '(a cue number, then a timing line such as "00:00:01,000 --> 00:00:04,000")'
    )
    raise CaptionError(source, first + 1, message)


def _timed_block(lines: list[str], index: int, source: str) -> CueBlock:
    """The cue timed by lines[index]; a broken timing line or an end before start is an error."""
    line, match = index + 1, _TIMING.fullmatch(lines[index])
    if not match:
        odd = next((c for c in lines[index] if c.isspace() and c not in " \t"), None)
        if odd is not None and _TIMING.fullmatch(re.sub(r"\s", " ", lines[index])):
            message = (f"broken timing line {lines[index][:80]!r}: only spaces and tabs may "
                       f"separate its parts, not U+{ord(odd):04X}")
        else:
            message = (f"broken timing line {lines[index].strip()[:80]!r}: expected "
                       f"{_TIMING_EXAMPLE}")
        raise CaptionError(source, line, message)
    try:
        start, end = parse_timestamp(match[1]), parse_timestamp(match[2])
    except ValueError as error:
        raise CaptionError(source, line, f"broken timing line: {error}") from None
    if end < start:
        message = f"cue ends ({format_timestamp(end)}) before it starts ({format_timestamp(start)})"
        raise CaptionError(source, line, message)
    return CueBlock(line, start, end)


def _webvtt_blocks(lines: list[str], first: int, source: str) -> list[CueBlock]:
    """Blocks end at an empty line; a "-->" line starts a new one unless it is the timing line."""
    groups: list[list[int]] = [[]]
    for i in range(first, len(lines)):
        group, line = groups[-1], lines[i]
        if group and (
            not line
            or ("-->" in line and (len(groups) == 1 or len(group) > 1 or "-->" in lines[group[0]]))
        ):
            groups.append([])
        if line:
            groups[-1].append(i)
    blocks: list[CueBlock] = []
    problems: list[CaptionError] = []  # every one is reported, in one refusal
    timed = False  # a timing line has been seen: text before it is the header's metadata
    for group in groups[1:]:  # groups[0] is the header and its metadata lines
        if not group:
            continue
        texts = [lines[i] for i in group]
        timing = next((k for k, text in enumerate(texts[:2]) if "-->" in text), None)
        if timing is not None:
            timed = True
            try:
                block = _timed_block(lines, group[timing], source)
            except CaptionError as error:
                problems.append(error)
                continue
            block.lines = texts[timing + 1 :]
            blocks.append(block)
        elif texts[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        elif all(text.strip().isdigit() for text in texts):
            continue  # a stray cue number: harmless
        else:
            problem = _timing_problem(lines, group[:2], source)
            if problem is None and timed:
                message = (
                    f"text outside any cue: a cue starts with a timing line such as"
                    f" {_TIMING_EXAMPLE} (is there an empty line inside a cue's text?)"
                )
                problem = CaptionError(source, group[0] + 1, message)
            if problem is not None:
                problems.append(problem)
    if problems:
        raise CaptionError.every(source, problems)
    return blocks


def _timing_problem(lines: list[str], indexes: Sequence[int], source: str
                    ) -> CaptionError | None:
    """What is wrong with the first of these lines that looks like a broken timing line."""
    for i in indexes:
        if _TIMEISH.match(lines[i]):
            try:
                _timed_block(lines, i, source)
            except CaptionError as error:
                return error
    return None


def _srt_blocks(lines: list[str], first: int, source: str) -> list[CueBlock]:
    """SRT cues: number, timing line, text; empty lines inside a cue's text are tolerated."""
    blocks: list[CueBlock] = []
    problems: list[CaptionError] = []  # every one is reported, in one refusal
    current: CueBlock | None = None
    # after_number: the previous line is only digits; after_index: ... and it began a block.
    after_blank, after_number, after_index = True, False, False
    for i in range(first, len(lines)):
        text = lines[i].strip()
        if not text:
            after_blank, after_number, after_index = True, False, False
            continue
        starts_cue = (
            _TIMING.fullmatch(text) is not None
            or ((after_blank or after_index) and "-->" in text)
            or (after_index and _TIMEISH.match(text) is not None)
        )
        if starts_cue:
            if after_number and current is not None and current.lines:
                current.lines.pop()  # the digits read as text were this cue's number
            try:
                current = _timed_block(lines, i, source)
            except CaptionError as error:
                problems.append(error)
                current = CueBlock(i + 1, 0.0, 0.0)  # its text is skipped with it
            else:
                blocks.append(current)
        elif current is not None:
            current.lines.append(lines[i])
        after_number = not starts_cue and text.isdigit()
        after_index = after_number and after_blank
        after_blank = False
    if problems:
        raise CaptionError.every(source, problems)
    return blocks


# --- cue text: markup, entities, speakers ----------------------------------------------------

_RUBY_TEXT_START = re.compile(r"<rt[\s.>]")
_ASS_TAG = re.compile(r"\{\\[^{}]*\}")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<[0-9][0-9:.]*>")
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?\s([^<>]*)>")
_INLINE_TIME = re.compile(r"<(?:[0-9]+:)?[0-9]{2}:[0-9]{2}\.[0-9]{3}>")
_INVISIBLE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_LABEL = re.compile(r"((?:[^\W\d_]|[.,'’\- ]){1,60}?):(?=\s|$)")
_NOT_SPEAKERS = frozenset(
    "note notes nb warning caution important tip hint example question answer q a step summary"
    " chapter part section reminder update source disclaimer translation translator subtitles"
    " subtitle captions caption transcript title topic re fwd ps http https www kind language"
    " remember goal result results next first second third finally also today yes no why how"
    " what when where who treatment diagnosis symptoms side risk benefits".split()
)
_PARTICLES = frozenset("de da del della der den di du la le van von bin ibn y".split())


def _plain(text: str) -> str:
    """Entities decoded, invisible marks and controls removed, whitespace collapsed."""
    text = _INVISIBLE.sub("", html.unescape(text))
    return " ".join(_CONTROL.sub(" ", text).split())


def _label(line: str) -> re.Match[str] | None:
    """A "Name: " label starting the (stripped) line: 1-4 capitalized words, not "Note:" etc."""
    match = _LABEL.match(line)
    if not match:
        return None
    words = match[1].split()
    if not 1 <= len(words) <= 4 or words[0].lower().rstrip(".") in _NOT_SPEAKERS:
        return None
    capitalized = [w[0].isupper() or w in _PARTICLES for w in words]
    return match if all(capitalized) and words[0][0].isupper() and words[-1][0].isupper() else None


def _first_label(block: CueBlock) -> str | None:
    """The "Name" of a "Name: text" label starting the block's text, if any."""
    shown = (_TAG.sub("", line).strip() for line in _cue_lines(block.lines))
    match = _label(next((line for line in shown if line), ""))
    return " ".join(match[1].split()) if match else None


def _take_label(lines: list[str], repeated: Set[str]) -> tuple[str | None, list[str]]:
    """The speaker of "Name: text" lines when the first line has one and no other name appears."""
    lines = [line.strip() for line in lines]
    labels = [(i, _label(line)) for i, line in enumerate(lines) if line]
    if not labels or labels[0][1] is None:
        return None, lines
    names = {" ".join(m[1].split()) for _, m in labels if m}
    if len(names) != 1:
        return None, lines  # several people in one cue: keep their labels in the text
    name = names.pop()
    if " " not in name and not name.isupper() and name not in repeated:
        return None, lines  # "Treatment: ..." once is text; "Jane: ..." on several cues a name
    out = list(lines)
    for i, match in labels:
        if match:
            out[i] = lines[i][match.end() :]
    return _plain(name) or None, out


def _without_ruby_text(line: str) -> str:
    """The line without <rt> ruby annotations, in one pass (a regex rescans from each "<rt")."""
    parts, pos = [], 0
    while (start := _RUBY_TEXT_START.search(line, pos)) is not None:
        close = line.find("</rt", start.end() - 1)
        end = line.find(">", close)
        if close < 0 or end < 0:
            break
        parts.append(line[pos : start.start()])
        pos = end + 1
    return "".join(parts) + line[pos:]


def _cue_lines(raw: Sequence[str]) -> list[str]:
    """Raw cue lines without ruby annotations and ASS style tags (voice and other tags kept)."""
    return [_ASS_TAG.sub("", _without_ruby_text(line)) for line in raw]


def cue_plain_text(raw: Sequence[str]) -> str:
    """The text of a cue's raw lines: markup removed, entities decoded, lines joined."""
    return _plain(" ".join(_TAG.sub("", line) for line in _cue_lines(raw)))


def _voice_as_label(match: re.Match[str]) -> str:
    """The text "Name: " for a voice span, so a dialogue in one cue says who said what."""
    return f"{match[1].strip()}: " if match[1].strip() else ""


def _to_cue(block: CueBlock, repeated: Set[str]) -> Cue | None:
    """A Cue with its speaker (voice span or "Name:" label, only as given in this cue)."""
    lines = _cue_lines(block.lines)
    voices = [m[1].strip() for line in lines for m in _VOICE.finditer(line)]
    names = list(dict.fromkeys(name for name in map(_plain, voices) if name))
    speaker = names[0] if len(names) == 1 else None
    if len(names) > 1:
        lines = [_VOICE.sub(_voice_as_label, line) for line in lines]
    lines = [_TAG.sub("", line) for line in lines]
    if not voices:
        speaker, lines = _take_label(lines, repeated)
    text = _plain(" ".join(lines))
    return Cue(block.start, block.end, text, speaker) if text else None


# --- rolling auto-captions -------------------------------------------------------------------


def _is_rolling(blocks: Sequence[CueBlock]) -> bool:
    """YouTube-style word stamps, or most multi-line cues repeating the previous cue's last line."""
    if any(_INLINE_TIME.search(line) for block in blocks for line in block.lines):
        return True
    repeats = multiline = 0
    previous: list[str] = []
    for block in blocks:
        shown = [t for t in map(cue_plain_text, [[x] for x in block.lines]) if t]
        if len(shown) > 1:
            multiline += 1
            repeats += bool(previous) and shown[0] == previous[-1]
        previous = shown
    return repeats >= 2 and 2 * repeats >= multiline


def _collapse_rolling(blocks: Sequence[CueBlock]) -> list[CueBlock]:
    """Each line kept once, in the cue where it first appears; repeat-only cues dropped."""
    collapsed: list[CueBlock] = []
    previous: set[str] = set()
    for block in blocks:
        shown = [(line, cue_plain_text([line])) for line in block.lines]
        fresh = [line for line, text in shown if text and text not in previous]
        previous = {text for _, text in shown if text}
        if fresh:
            collapsed.append(CueBlock(block.line, block.start, block.end, fresh))
    return collapsed


# --- public API ------------------------------------------------------------------------------


def parse_captions(data: bytes | str, source: str = "<captions>") -> list[Cue]:
    """Cues of a WebVTT or SRT file (bytes in any common encoding, or text), sorted by start."""
    _within_limits(len(data) if isinstance(data, bytes) else len(data.encode()), source)
    blocks = read_cue_blocks(caption_text(data, source), source)
    if not blocks:
        message = f"no cues: a cue is a timing line such as {_TIMING_EXAMPLE} and its text"
        raise CaptionError(source, 1, message)
    blocks.sort(key=lambda block: block.start)
    first_line = min(block.line for block in blocks)
    if _is_rolling(blocks):
        blocks = _collapse_rolling(blocks)
    labels = Counter(label for label in map(_first_label, blocks) if label)
    repeated = {label for label, count in labels.items() if count > 1}
    cues = [cue for block in blocks if (cue := _to_cue(block, repeated)) is not None]
    if not cues:
        raise CaptionError(source, first_line, "no cue has any text")
    return cues


def load_captions(path: Path) -> list[Cue]:
    """Cues of the caption file at `path`; an unreadable file is a CaptionError too."""
    try:
        _within_limits(Path(path).stat().st_size, str(path))  # before reading it
        data = Path(path).read_bytes()
    except OSError as error:
        raise CaptionError(str(path), None, f"cannot read: {error.strerror or error}") from None
    return parse_captions(data, str(path))


def _within_limits(size: int, source: str) -> None:
    try:
        check_caption_size(size)
    except CaptionLimitError as exc:
        raise CaptionError(source, None, str(exc)) from None


def check_cues_fit(cues: Sequence[Cue], duration: float, source: str) -> None:
    """CaptionError when there are more cues than a `duration`-second recording can show."""
    try:
        check_cue_rate(cues, duration)
    except CaptionLimitError as exc:
        raise CaptionError(source, None, str(exc)) from None


def escape_cue_text(text: str) -> str:
    """Text safe as WebVTT cue text: whitespace collapsed, & < > escaped, no ASS-like tags."""
    text = " ".join(text.split())
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("{\\", "&#123;\\")  # "{\an8}" would be read back as a style tag


def cues_to_webvtt(cues: Sequence[Cue]) -> str:
    """Normalized WebVTT: HH:MM:SS.mmm timings, <v Speaker> spans, escaped text."""
    out = ["WEBVTT", ""]
    for cue in cues:
        # A line break the cue was given (recognized captions are cut into lines) is kept.
        text = "\n".join(escape_cue_text(line) for line in cue.text.split("\n"))
        speaker = escape_cue_text(cue.speaker or "")
        if speaker:
            text = f"<v {speaker}>{text}</v>"
        elif (match := _label(text)) is not None:
            # "Jane: hi" without a known speaker must not read back as Jane's line.
            text = f"{text[: match.end(1)]}&#58;{text[match.end(1) + 1 :]}"
        out += [f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}", text, ""]
    return "\n".join(out)
