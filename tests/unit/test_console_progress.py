"""The ingest's progress bar: steps of float seconds never pass the bar's total."""

from __future__ import annotations

import warnings

from medialib.ingest.console import ConsoleReporter


def test_float_steps_never_pass_the_total() -> None:
    # Added up as steps, these times came to 192.20000000000002 seconds, past the bar's total
    # of 192.2, and tqdm warned ("clamping frac"), an error under the test suite.
    times = (2.7, 5.6, 6.8, 13.9, 14.7, 49.1, 51.1, 72.8, 76.9, 79.6, 88.5, 103.3, 108.3, 109.8,
             133.1, 135.5, 150.0, 152.3, 159.6, 172.3, 181.6, 194.4, 200.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ConsoleReporter().progress("renditions", 192.2) as update:
            for seconds in times:
                update(seconds)
