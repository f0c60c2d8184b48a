"""Search: relevance, moments, glossary, spelling, filters, paging, index changes, hostile input."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medialib.captions import Cue
from medialib.chapters import Chapter
from medialib.search import IndexedWebcast, SearchIndex, SearchResults, SearchUnavailable
from medialib.search.documents import PASSAGE_CUES
from medialib.search.query import MAX_CLAUSES, MAX_SYNONYMS, parse_query


def cues(*lines: str, start: float = 0.0, every: float = 4.0, speaker: str | None = None):
    """Cues of `every` seconds each, the first starting at `start`."""
    return tuple(
        Cue(start + i * every, start + (i + 1) * every, text, speaker)
        for i, text in enumerate(lines)
    )


FILLER = "We take questions from the audience at the end of every session."

RADIATION = IndexedWebcast(
    slug="role-of-radiation",
    title="Role of radiation in metastatic breast cancer",
    summary="The different types of radiation and how they treat and relieve symptoms.",
    kind="video",
    series=None,
    recorded="2019-05-01",
    speakers=(("jennifer-bellon", "Jennifer Bellon, MD"),),
    topics=(("radiation-therapy", "Radiation therapy"),),
    chapters=(Chapter(0.0, "Introduction"), Chapter(40.0, "Treating the brain")),
    cues=cues(
        "Welcome, this is sample narration for the demonstration library.",  # 0
        FILLER,  # 4
        "Radiation uses high energy x-rays aimed at the cancer.",  # 8
        "It can relieve pain from a spot in the bone.",  # 12
        FILLER,  # 16
        FILLER,  # 20
        "Stereotactic radiosurgery focuses many small beams on one spot.",  # 24
        FILLER,  # 28
        FILLER,  # 32
        FILLER,  # 36
        "For many spots in the brain we may recommend whole brain",  # 40
        "radiation therapy, given over one or two weeks.",  # 44
        "Swelling in the arm, called lymphedema, is a different problem.",  # 48
        "Lymph nodes under the arm can be treated too.",  # 52
        "Thank you for listening <and> see you soon & take care.",  # 56
    ),
)

PROXY = IndexedWebcast(
    slug="healthcare-proxy",
    title="Designating a healthcare proxy while living with advanced cancer",
    summary="Questions about advance care planning, answered one at a time.",
    kind="video",
    series=None,
    recorded="2020-02-02",
    speakers=(("steve-oneill", "Steve O'Neill, LICSW, BCD, JD"),),
    topics=(("advance-care-planning", "Health care proxy and advance care planning"),),
    chapters=(Chapter(0.0, "Welcome"), Chapter(20.0, "What is an advance directive?")),
    cues=cues(
        "Welcome, this is sample narration for the demonstration library.",  # 0
        "Many people are living with cancer for years.",  # 4
        FILLER,  # 8
        FILLER,  # 12
        FILLER,  # 16
        "These documents tell your team what you would want.",  # 20
        "A living will describes the treatments you would or would not want.",  # 24
        "Your proxy speaks for you when you cannot speak for yourself.",  # 28
    ),
)

BRAIN_2 = IndexedWebcast(
    slug="brain-part-2",
    title="When breast cancer travels to the brain: Part 2",
    summary="Chemotherapy, targeted therapy and ongoing clinical trials.",
    kind="video",
    series="brain-series",
    recorded="2021-03-03",
    speakers=(("nancy-lin", "Nancy Lin, MD"),),
    topics=(("brain-metastases", "Brain metastases"), ("clinical-trials", "Clinical trials")),
    chapters=(Chapter(0.0, "Drugs that reach the brain"),),
    cues=cues(
        "Welcome, this is sample narration for the demonstration library.",
        "Trastuzumab based treatment controls HER2 positive disease in the body.",
        "Tucatinib can cross the blood brain barrier.",
        "Brain metastases are treated with drugs and radiation together.",
        "Clinical trials test new combinations for patients like you.",
    ),
)

COGNITIVE = IndexedWebcast(
    slug="cognitive-changes",
    title="Cognitive changes for metastatic breast cancer patients",
    summary="Thinking and memory during and after treatment.",
    kind="video",
    series=None,
    recorded="2021-04-04",
    speakers=(("fremonta-meyer", "Fremonta Meyer, MD"),),
    topics=(("cognitive-changes", "Cognitive changes"),),
    chapters=(),
    cues=cues(
        "Welcome, this is sample narration for the demonstration library.",
        FILLER,
        "Many patients notice cognitive changes such as trouble with attention.",
        "Keeping a planner helps with memory.",
    ),
)

PODCAST = IndexedWebcast(
    slug="living-with-mbc-podcast",
    title="Living with metastatic breast cancer: a podcast",
    summary="A conversation about everyday life with advanced disease.",
    kind="audio",
    series=None,
    recorded="2022-05-05",
    speakers=(("eric-winer", "Eric Winer, MD"),),
    topics=(("living-with-mbc", "Living with metastatic breast cancer"),),
    chapters=(),
    cues=cues(
        "Welcome, this is sample narration for the demonstration library.",
        "Some friends call it chemo brain, and it is real.",
        "I had radiation once, years ago.",
        "Exercise and sleep make a difference.",
        "My radiaton nurse was kind.",  # a typo in the captions
    ),
)

WEBCHAT = IndexedWebcast(
    slug="choosing-a-clinical-trial",
    title="Choosing a clinical trial: a webchat",
    summary="Two doctors answer questions about joining a study.",
    kind="video",
    series=None,
    recorded="2022-06-06",
    speakers=(("nancy-lin", "Nancy Lin, MD"), ("erica-mayer", "Erica Mayer, MD, MPH")),
    topics=(("clinical-trials", "Clinical trials"),),
    chapters=(),
    cues=(
        Cue(0.0, 4.0, "Welcome, this is sample narration.", None),
        Cue(4.0, 8.0, "A randomized trial compares two treatments.", "Nancy Lin"),
        Cue(8.0, 12.0, "Ask whether the trial needs extra biopsies.", "Erica Mayer"),
    ),
)

LIBRARY = [RADIATION, PROXY, BRAIN_2, COGNITIVE, PODCAST, WEBCHAT]


@pytest.fixture(scope="module")
def library_index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """A read-only index of the small hand-made library."""
    index = SearchIndex(tmp_path_factory.mktemp("search") / "index")
    index.rebuild(LIBRARY)
    return index


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    """A fresh index of the small library that a test may change."""
    fresh = SearchIndex(tmp_path / "index")
    fresh.rebuild(LIBRARY)
    return fresh


def slugs(results: SearchResults) -> list[str]:
    return [r.slug for r in results.results]


def result(results: SearchResults, slug: str):
    return next(r for r in results.results if r.slug == slug)


# ---- relevance ----------------------------------------------------------------------------


def test_title_and_topic_matches_rank_above_passing_mentions(library_index):
    found = library_index.search("radiation")
    assert slugs(found)[0] == "role-of-radiation"
    assert "living-with-mbc-podcast" in slugs(found)  # "I had radiation once"
    assert slugs(found).index("living-with-mbc-podcast") > 0
    fields = result(found, "role-of-radiation").matched_fields
    assert fields == ["title", "topic", "summary", "transcript"]


def test_hit_starts_at_the_cue_where_the_words_are(library_index):
    hit = library_index.search("radiosurgery").results[0].hits[0]
    assert (hit.start, hit.end) == (24.0, 28.0)
    assert "<mark>radiosurgery</mark>" in hit.html
    assert hit.chapter == "Introduction"
    assert hit.speaker == "Jennifer Bellon, MD"


def test_phrase_across_two_cues_starts_at_its_first_word(library_index):
    found = library_index.search('"whole brain radiation therapy"')
    assert slugs(found) == ["role-of-radiation"]
    hit = found.results[0].hits[0]
    assert (hit.start, hit.end) == (40.0, 48.0)
    assert hit.chapter == "Treating the brain"
    assert "<mark>whole</mark> <mark>brain</mark>" in hit.html
    assert "<mark>radiation</mark> <mark>therapy</mark>" in hit.html


def test_quoted_phrase_needs_the_words_together(library_index):
    assert library_index.search('"brain radiation"').total == 1
    assert library_index.search('"radiation brain"').total == 0


def test_living_will_does_not_match_living_with(library_index):
    found = library_index.search("living will")
    assert slugs(found) == ["healthcare-proxy"]
    assert found.results[0].hits[0].start == 24.0
    assert library_index.search('"living will"').total == 1


def test_stemming_finds_other_forms(library_index):
    assert "role-of-radiation" in slugs(library_index.search("relieving"))
    assert "choosing-a-clinical-trial" in slugs(library_index.search("biopsy"))


def test_question_words_are_dropped(library_index):
    found = library_index.search("what is an advance directive?")
    assert slugs(found)[0] == "healthcare-proxy"
    # The chapter "What is an advance directive?" starts at 20 s: the best moment.
    assert found.results[0].hits[0].start == 20.0
    assert "chapter" in found.results[0].matched_fields


def test_metadata_only_match_still_has_a_moment(library_index):
    found = library_index.search("Bellon")
    assert slugs(found) == ["role-of-radiation"]
    only = found.results[0]
    assert only.matched_fields == ["speaker"]
    assert only.hits[0].start == 0.0  # no caption mentions her: the first cue


def test_words_split_between_metadata_and_captions(library_index):
    found = library_index.search("Bellon radiosurgery")
    assert slugs(found) == ["role-of-radiation"]
    assert found.results[0].hits[0].start == 24.0


# ---- glossary -----------------------------------------------------------------------------


def test_lay_words_find_clinical_words(library_index):
    found = library_index.search("chemo brain")
    assert set(slugs(found)) == {"living-with-mbc-podcast", "cognitive-changes"}
    # The talk about it (title, topic, captions) ranks above a passing mention of the words.
    assert slugs(found)[0] == "cognitive-changes"
    hit = result(found, "cognitive-changes").hits[0]
    assert hit.start == 8.0
    assert "<mark>cognitive</mark> <mark>changes</mark>" in hit.html


def test_words_typed_rank_above_synonyms(tmp_path):
    def talk(slug: str, line: str) -> IndexedWebcast:
        return IndexedWebcast(slug, "A talk", "", "video", None, None, (), (), (), cues(line))

    index = SearchIndex(tmp_path / "index")
    index.rebuild(
        [talk("synonym", "Cognitive changes are real."), talk("exact", "Chemo brain is real.")]
    )
    assert slugs(index.search("chemo brain")) == ["exact", "synonym"]
    assert slugs(index.search("cognitive changes")) == ["synonym", "exact"]


def test_acronym_finds_spelled_out_term(library_index):
    found = library_index.search("WBRT")
    assert slugs(found) == ["role-of-radiation"]
    assert found.results[0].hits[0].start == 40.0


def test_brand_name_finds_generic(library_index):
    found = library_index.search("Herceptin")
    assert slugs(found) == ["brain-part-2"]
    assert found.results[0].hits[0].start == 4.0
    assert "<mark>Trastuzumab</mark>" in found.results[0].hits[0].html


def test_advance_directive_finds_living_will(library_index):
    found = library_index.search("advance directive")
    assert slugs(found) == ["healthcare-proxy"]


def test_srs_and_mets(library_index):
    assert slugs(library_index.search("SRS")) == ["role-of-radiation"]
    assert "brain-part-2" in slugs(library_index.search("brain mets"))


# ---- spelling -----------------------------------------------------------------------------


def test_misspelling_is_corrected_when_nothing_is_found(library_index):
    found = library_index.search("trastuzamab")
    assert found.corrected is True
    assert found.suggestion == "trastuzumab"
    assert found.query == "trastuzamab"
    assert slugs(found) == ["brain-part-2"]


def test_misspelled_brand_name_goes_through_the_glossary(library_index):
    found = library_index.search("Herseptin")
    assert found.corrected and found.suggestion == "herceptin"
    assert slugs(found) == ["brain-part-2"]


def test_two_edits_are_corrected(library_index):
    found = library_index.search("radiosugrery")  # a transposition and a wrong letter
    assert found.suggestion == "radiosurgery"


def test_every_misspelled_word_is_corrected(library_index):
    found = library_index.search("lymphedma radiaton")
    assert found.corrected and found.suggestion == "lymphedema radiation"
    assert slugs(found) == ["role-of-radiation"]


def test_suggestion_offered_when_few_results(library_index):
    found = library_index.search("radiaton")  # said once, by mistake, in the podcast
    assert slugs(found) == ["living-with-mbc-podcast"] and not found.corrected
    assert found.suggestion == "radiation"


def test_no_suggestion_for_correct_words(library_index):
    found = library_index.search("radiation")
    assert found.suggestion is None and not found.corrected


# ---- prefix -------------------------------------------------------------------------------


def test_prefix_finds_word_starts(library_index):
    found = library_index.search("lymph*")
    assert slugs(found) == ["role-of-radiation"]
    starts = {hit.start for hit in found.results[0].hits}
    assert starts == {48.0, 52.0}
    assert library_index.search("radiosurg*").total == 1


def test_short_prefix_is_a_plain_word(library_index):
    assert library_index.search("ly*").total == 0


def test_prefix_of_nothing_finds_nothing(library_index):
    assert library_index.search("zzzq*").total == 0


# ---- filters and pages --------------------------------------------------------------------


def test_filters(library_index):
    assert set(slugs(library_index.search("welcome", topic="clinical-trials"))) == {
        "brain-part-2",
        "choosing-a-clinical-trial",
    }
    assert slugs(library_index.search("welcome", speaker="erica-mayer")) == [
        "choosing-a-clinical-trial"
    ]
    assert slugs(library_index.search("welcome", series="brain-series")) == ["brain-part-2"]
    assert slugs(library_index.search("welcome", kind="audio")) == ["living-with-mbc-podcast"]
    assert slugs(library_index.search("welcome", slug="cognitive-changes")) == ["cognitive-changes"]
    unknown = library_index.search("welcome", topic="no-such-topic")
    assert unknown.total == 0 and unknown.results == []


def test_pagination(library_index):
    everything = library_index.search("welcome", per_page=100)
    assert everything.total == len(LIBRARY)
    pages = [library_index.search("welcome", page=p, per_page=4) for p in (1, 2, 3)]
    assert [len(p.results) for p in pages] == [4, 2, 0]
    assert all(p.total == len(LIBRARY) for p in pages)
    assert pages[0].pages == 2
    assert slugs(pages[0]) + slugs(pages[1]) == slugs(everything)


def test_hits_per_webcast_and_total_hits(library_index):
    found = library_index.search("audience questions", slug="role-of-radiation", hits_per_webcast=1)
    only = found.results[0]
    assert len(only.hits) == 1 and only.total_hits >= 1
    # The chapter "Treating the brain" and the captions that mention the brain: two places.
    found = library_index.search("brain", slug="role-of-radiation", hits_per_webcast=1)
    assert len(found.results[0].hits) == 1 and found.results[0].total_hits == 2
    more = library_index.search("audience", slug="role-of-radiation", hits_per_webcast=20)
    assert len(more.results[0].hits) == 6  # every filler cue, once each
    assert len({h.start for h in more.results[0].hits}) == 6


def test_speakers_of_a_webchat_come_from_the_cues(library_index):
    found = library_index.search("biopsies")
    assert found.results[0].hits[0].speaker == "Erica Mayer"


def test_snippet_is_escaped(library_index):
    hit = library_index.search("listening").results[0].hits[0]
    assert hit.text.startswith("Thank you for listening <and>")
    assert "&lt;and&gt;" in hit.html and "&amp;" in hit.html
    assert "<mark>listening</mark>" in hit.html


# ---- changing the index -------------------------------------------------------------------


NEW = IndexedWebcast(
    slug="new-talk",
    title="Sleep during treatment",
    summary="",
    kind="audio",
    series=None,
    recorded=None,
    speakers=(),
    topics=(),
    chapters=(),
    cues=cues("Insomnia is common and treatable.", "Melatonin helps some people."),
)


def test_add_replace_remove_seen_by_another_instance(index, tmp_path):
    server = SearchIndex(tmp_path / "index")  # e.g. a web server process
    assert server.search("melatonin").total == 0
    index.add(NEW)
    assert slugs(server.search("melatonin")) == ["new-talk"]
    assert server.slugs()["new-talk"] == 2  # the webcast and one passage
    replaced = IndexedWebcast(**{**NEW.__dict__, "cues": cues("Naps can help as well.")})
    index.add(replaced)
    assert server.search("melatonin").total == 0
    assert [len(r.hits) for r in server.search("naps").results] == [1]
    index.add(replaced)
    assert server.search("naps").total == 1  # no duplicates after re-ingest
    index.remove("new-talk")
    assert server.search("naps").total == 0
    assert "new-talk" not in server.slugs()
    index.remove("never-indexed")  # nothing to do


def test_spelling_follows_changes(index):
    index.add(NEW)
    assert index.search("melatonim").suggestion == "melatonin"
    index.remove("new-talk")
    assert index.search("melatonim").suggestion is None


def test_add_creates_a_missing_index(tmp_path):
    fresh = SearchIndex(tmp_path / "index")
    assert not fresh.exists()
    fresh.add(NEW)
    assert fresh.exists()
    assert slugs(fresh.search("insomnia")) == ["new-talk"]


def test_slugs_counts_documents(library_index):
    counts = library_index.slugs()
    assert set(counts) == {w.slug for w in LIBRARY}
    # The webcast's own document and its passages, which share their first and last cues.
    passages = -(-(len(RADIATION.cues) - 1) // (PASSAGE_CUES - 1))
    assert counts["role-of-radiation"] == 1 + passages


def test_rebuild_swaps_while_a_reader_holds_a_searcher(index, tmp_path):
    reader = SearchIndex(tmp_path / "index")
    assert reader.search("radiosurgery").total == 1  # the reader now holds a searcher
    first = {p.name for p in (tmp_path / "index").glob("gen-*")}
    index.rebuild([NEW])
    assert reader.search("radiosurgery").total == 0
    assert reader.search("melatonin").total == 1
    index.rebuild([PROXY])
    generations = {p.name for p in (tmp_path / "index").glob("gen-*")}
    assert len(generations) == 2 and not first & generations  # current and previous only
    assert slugs(reader.search("proxy")) == ["healthcare-proxy"]


def test_searches_keep_working_while_rebuilding(index, tmp_path):
    reader = SearchIndex(tmp_path / "index")
    errors: list[BaseException] = []
    stop = threading.Event()
    searched = threading.Condition()
    searches = 0

    def search_loop() -> None:
        nonlocal searches
        while not stop.is_set():
            try:
                found = reader.search("welcome")
                assert found.total in (1, len(LIBRARY))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
                return
            finally:
                with searched:
                    searches += 1
                    searched.notify_all()

    def midway(webcasts):
        """The webcasts of a rebuild, holding it after the first until a search has been made."""
        for n, webcast in enumerate(webcasts):
            yield webcast
            if n == 0:
                with searched:
                    before = searches
                    assert searched.wait_for(lambda b=before: searches > b or errors, timeout=60)
                during.append(searches - before)

    during: list[int] = []
    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        for _ in range(2):
            index.rebuild(midway([RADIATION]))
            index.rebuild(midway(LIBRARY))
    finally:
        stop.set()
        thread.join()
    assert errors == []
    # Four rebuilds, each with at least one search made while it was half written.
    assert len(during) == 4 and all(n > 0 for n in during)


def test_failed_rebuild_keeps_the_old_index(index):
    def broken():
        yield RADIATION
        raise RuntimeError("catalog went away")

    with pytest.raises(RuntimeError):
        index.rebuild(broken())
    assert index.search("proxy").total == 1
    assert len(list(index.index_dir.glob("gen-*"))) == 1


# ---- unavailable index --------------------------------------------------------------------


def test_missing_index_is_unavailable(tmp_path):
    missing = SearchIndex(tmp_path / "nothing-here")
    assert not missing.exists()
    with pytest.raises(SearchUnavailable, match="reindex"):
        missing.search("radiation")
    with pytest.raises(SearchUnavailable):
        missing.slugs()


@pytest.mark.parametrize(
    ("damage", "looks_whole"),
    [("pointer", False), ("dangling", False), ("files", False), ("segments", True)],
)
def test_damaged_index_is_unavailable(index, damage, looks_whole):
    root = index.index_dir
    if damage == "pointer":
        (root / "CURRENT").write_text("{not json")
    elif damage == "dangling":
        (root / "CURRENT").write_text('{"generation": "gen-0000", "serial": 9}')
    else:
        (generation,) = root.glob("gen-*")
        # "files": every file; "segments": the postings only, so the tables of contents still
        # read and the index looks whole until a search opens it.
        damaged = [p for p in generation.iterdir() if damage == "files" or p.suffix == ".seg"]
        assert len(damaged) >= 2  # both indexes' segments at least
        for path in damaged:
            path.write_bytes(b"\0garbage" * 10)
    fresh = SearchIndex(root)
    assert fresh.exists() is looks_whole
    with pytest.raises(SearchUnavailable):
        fresh.search("radiation")


# ---- hostile input ------------------------------------------------------------------------


HOSTILE = [
    "",
    "   ",
    '"',
    '"unbalanced quote',
    '""',
    "title:radiation",
    "radiation AND OR NOT",
    "(radiation",
    "[brain] {mets}",
    "*",
    "**",
    "a*",
    "radiation~2",
    "radi?tion",
    "+brain -mets",
    "brain^10",
    "\0\0\0",
    "radiation\0brain",
    "x" * 5000,
    "brain " * 1200,
    "😀 🧠 radiation 💉",
    "放射線治療",
    "лучевая терапия",
    "العلاج الإشعاعي",
    "<script>alert(1)</script>",
    "'; DROP TABLE webcasts; --",
    "\\",
    "\u202e\u200b\ufeff",
    "NOT",
    "the of and",
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_give_results_or_nothing(library_index, query):
    found = library_index.search(query)
    assert isinstance(found, SearchResults)
    assert len(found.query) <= 500
    for webcast in found.results:
        for hit in webcast.hits:
            assert "<script>" not in hit.html


def test_stop_words_alone_still_search(library_index):
    assert library_index.search("the of and").total > 0


def test_odd_paging_arguments(library_index):
    found = library_index.search("welcome", page=-3, per_page=0, hits_per_webcast=-1)
    assert found.page == 1 and found.per_page == 1 and found.results[0].hits == []
    assert library_index.search("welcome", page=10_000_000).results == []


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.text(max_size=300))
def test_any_text_is_a_query(library_index, text):
    assert isinstance(library_index.search(text), SearchResults)


def test_long_queries_are_bounded(library_index):
    lay_terms = "brain mets chemo brain living will WBRT SRS mets Herceptin hospice " * 3
    clauses = parse_query(lay_terms + " ".join(f"word{i}" for i in range(40)), None)
    assert len(clauses) == MAX_CLAUSES
    matcher = library_index._glossary_matcher
    clauses = parse_query(lay_terms, matcher)
    assert sum(len(c.alternatives) - 1 for c in clauses) <= MAX_SYNONYMS
    assert isinstance(library_index.search(lay_terms), SearchResults)
