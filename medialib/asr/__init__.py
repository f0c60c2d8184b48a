"""Draft captions from speech: offline recognition with faster-whisper (CTranslate2, CPU, int8).

- model: which model the `asr_model` setting names, loaded from this machine only (never
  downloaded at run time); AsrError, raised before the library is touched, says which model was
  looked for and how to provide one.
- cues: recognized words -> cues that read like captions (two lines of at most 42 characters,
  1 to 7 seconds, broken at sentence and clause ends); a pure function.
- publish: `medialib transcribe SLUG`, draft captions for a webcast already in the library,
  staged and committed like an ingest. `medialib ingest --transcribe` runs the same recognition
  as a step of the ingest (ingest.recognize).
- wer: the word error rate, for the tests and the benchmark.

Nothing here is imported by `medialib --help` or the web app; faster-whisper loads on first use.
"""
