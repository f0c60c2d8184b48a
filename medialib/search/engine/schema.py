"""The two schemas (the fields of the "webcasts" and "passages" indexes; see ..documents).

The schema is saved with an index: an index written since names TermsText (writer.py).
"""

from __future__ import annotations

from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, Schema

from .writer import TermsText


def _analyzer() -> StemmingAnalyzer:
    # Documents are indexed from term lists made by .analysis (lists bypass a field's analyzer);
    # this analyzer, the same tokenizer and stemmer without a stop list, is only a fallback.
    return StemmingAnalyzer(stoplist=None, minsize=1)


def webcast_schema() -> Schema:
    return Schema(
        slug=ID(stored=True, unique=True),
        title=TermsText(analyzer=_analyzer()),
        heads=TermsText(analyzer=_analyzer()),
        about=TermsText(analyzer=_analyzer()),
        transcript=TermsText(analyzer=_analyzer(), phrase=False),
        pairs=TermsText(analyzer=_analyzer(), phrase=False),
        topic=KEYWORD(lowercase=False, commas=False),
        speaker=KEYWORD(lowercase=False, commas=False),
        series=ID(),
        kind=ID(),
        meta=STORED(),
    )


def passage_schema() -> Schema:
    return Schema(slug=ID(), body=TermsText(analyzer=_analyzer()), first=STORED(), cues=STORED())
