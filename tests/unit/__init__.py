"""The unit layer: one module's public functions; no app, ffmpeg or browser (make test-fast)."""
