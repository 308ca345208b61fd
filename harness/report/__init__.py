"""Report stage: run directories → pooled cells → claim verdicts → verdicts.json, report.md, PNGs.

Read top-down: ``runs`` finds and loads run directories, ``pooling`` combines the runs of one
model × benchmark, ``rules`` and ``protocol`` hold the verdict rules, ``verdicts`` judges each
claim of ``seeds/``, ``trend`` tests per-level trends, ``tables``/``markdown``/``plots`` write the
report, ``build`` wires them; ``harness-report`` (``harness.cli.report``) is the entry point.
"""
