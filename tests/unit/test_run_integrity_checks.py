"""The checks behind run-directory integrity: value ranges, plain names, the lock, the
completion marker, URL credentials, report input errors and unreachable API endpoints.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from harness.backends.api.reach import UnreachableError, check_reachable
from harness.cli.compose import compose_config
from harness.config.validate import ConfigValueError
from harness.report.runs import ReportInputError, load_run, load_runs
from harness.store.run_dir import (
    COMPLETE,
    RunDirError,
    check_plain_name,
    hold,
    lock_path,
    mark_complete,
    plain_name,
)
from harness.store.secrets import redact
from tests.unit.test_report_runs import write_run


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("limit=-5", "limit=-5"),
        ("limit=0", "limit=0"),
        ("sampling.n=0", "sampling.n=0"),
        ("stats.confidence=1.5", "stats.confidence=1.5"),
        ("stats.confidence=0", "stats.confidence=0.0"),
        ("stats.bootstrap_resamples=0", "stats.bootstrap_resamples=0"),
        ("grading.timeout_s=0", "grading.timeout_s=0.0"),
        ("grading.workers=0", "grading.workers=0"),
        ("sampling.top_p=0", "sampling.top_p=0.0"),
    ],
)
def test_out_of_range_values_fail_at_compose_time_naming_the_key(override, key):
    with pytest.raises(ConfigValueError, match=rf"^{key} is out of range"):
        compose_config([override])


def test_valid_values_compose():
    cfg = compose_config(["limit=1", "sampling.n=1", "stats.confidence=0.9"])
    assert cfg.limit == 1


@pytest.mark.parametrize("bad", ["../x", "a/b", "a\\b", "..", ".", "", ".hidden", "a b", "x" * 201])
def test_names_in_paths_are_plain(bad):
    with pytest.raises(RunDirError, match="is not a plain name"):
        check_plain_name("run_id", bad)
    check_plain_name("run_id", plain_name(bad))  # the suggested name is plain


def test_model_name_with_a_slash_gives_a_plain_default_run_id():
    cfg = compose_config(["model.name=org/name", "backend=replay"])
    assert "/" not in cfg.run_id and "_org-name_math500_replay" in cfg.run_id


def test_a_credential_in_run_id_is_refused(monkeypatch):
    monkeypatch.setenv("MY_API_KEY", "sk-abcdef123456")
    with pytest.raises(ConfigValueError, match="run_id holds a credential"):
        compose_config(["run_id=run-sk-abcdef123456"])


def test_lock_is_exclusive_and_names_the_holder(tmp_path):
    run_dir = tmp_path / "r"
    busy = r"in use by another run \(pid \d+ on"
    with hold(run_dir), pytest.raises(RunDirError, match=busy), hold(run_dir):
        pass
    with hold(run_dir):  # released on exit
        pass
    assert lock_path(run_dir).parent == tmp_path and not run_dir.exists()


def test_url_credentials_are_redacted():
    text = "see http://user:KEY123@host:8000/v1, https://tok@github.com/x and http\\://u\\:k@h"
    clean = redact(text, {})
    assert "KEY123" not in clean and "tok@" not in clean and "k@h" not in clean
    assert "http://[REDACTED]@host:8000/v1" in clean
    assert redact("mail a@b.c, http://host/x@y", {}) == "mail a@b.c, http://host/x@y"


def test_a_run_that_died_after_metrics_is_incomplete(tmp_path):
    folder = write_run(tmp_path / "died")
    (folder / COMPLETE).unlink()  # e.g. provenance failed after metrics.json was written
    write_run(tmp_path / "done")
    with pytest.raises(ReportInputError, match="has no complete.json"):
        load_run(folder)
    runs, warnings = load_runs([tmp_path], skip_incomplete=True)
    assert [r.run_id for r in runs] == ["done"] and "died" in warnings[0]


def test_broken_samples_name_the_file_and_line(tmp_path):
    folder = write_run(tmp_path / "r")
    lines = (folder / "samples.jsonl").read_text().splitlines()
    lines[2] = lines[2][:40]
    (folder / "samples.jsonl").write_text("\n".join(lines) + "\n")
    mark_complete(folder)  # as if the run itself had written it so: the parser must catch it
    with pytest.raises(ReportInputError, match=r"samples\.jsonl:3: not a sample row"):
        load_run(folder)
    lines[2] = json.dumps({"problem_id": "p1"})  # valid JSON, not a sample
    (folder / "samples.jsonl").write_text("\n".join(lines) + "\n")
    mark_complete(folder)
    with pytest.raises(ReportInputError, match=r"samples\.jsonl:3: not a sample row \(KeyError"):
        load_run(folder)


def test_broken_config_names_the_file_and_line(tmp_path):
    folder = write_run(tmp_path / "r")
    (folder / "config.yaml").write_text("model:\n  name: x\nbenchmark: [unclosed\n")
    mark_complete(folder)
    with pytest.raises(ReportInputError, match=r"config\.yaml:\d+: not valid YAML"):
        load_run(folder)


def test_broken_metrics_name_the_file_and_line(tmp_path):
    folder = write_run(tmp_path / "r")
    (folder / "metrics.json").write_text('{\n  "metrics": {,\n}')
    mark_complete(folder)
    with pytest.raises(ReportInputError, match=r"metrics\.json:2: not valid JSON"):
        load_run(folder)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_refused_connection_fails_within_seconds():
    url = f"http://user:secretpass@127.0.0.1:{_closed_port()}/v1"
    t0 = time.perf_counter()
    with pytest.raises(UnreachableError, match="refused the connection") as err:
        check_reachable(url)
    assert time.perf_counter() - t0 < 3.0
    assert "secretpass" not in str(err.value)


def test_a_listening_endpoint_passes():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        check_reachable(f"http://127.0.0.1:{server.getsockname()[1]}/v1")


def test_a_url_that_is_not_http_is_named():
    with pytest.raises(UnreachableError, match="is not an http"):
        check_reachable("127.0.0.1:8000")


def test_lock_file_sits_beside_the_run_directory(tmp_path: Path):
    assert lock_path(tmp_path / "run") == tmp_path / ".run.lock"
