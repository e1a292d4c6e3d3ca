"""The nightly report: the HTML page (html), its charts (charts) and font (font), and the
scorecard `hrss status` prints (scorecard)."""
