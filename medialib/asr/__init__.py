"""Draft captions from speech: offline recognition with faster-whisper (CTranslate2, CPU, int8).

- model: which model the `asr_model` setting names, loaded from this machine only (never
  downloaded at run time); AsrError, raised before the library is touched, says which model was
  looked for and how to provide one.
- cues: recognized words -> cues that read like captions (two lines of at most 42 characters,
  1 to 7 seconds, broken at sentence and clause ends); a pure function.
- draft: a recording's draft captions outside an ingest (the sample library, the benchmark).
- wer: the word error rate, for the tests and the benchmark.

`medialib ingest --transcribe` and `medialib transcribe SLUG` run the recognition as a step of
the ingest package's runner (ingest.speech), staged and committed like any ingest.

Nothing here is imported by `medialib --help` or the web app; faster-whisper loads on first use.
"""
