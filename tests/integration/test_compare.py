"""``harness-compare`` on real runs: the same responses under the two conventions, a changed
response, and a run with fewer problems, each through ``harness-eval`` and ``harness-compare``
(in this process: ``tests/helpers/eval_inproc.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from harness.data.loader import load_benchmark
from harness.metrics.fixed_set import fixed_set_mean
from harness.models.tiny import bundled_problems_file
from tests.conftest import compose
from tests.helpers import eval_inproc as inproc

DATA = bundled_problems_file("math500")  # the first 5 MATH-500 test problems
R1_RULE = ()
LENIENT = ("grading.answer_region=anywhere", "grading.truncated=grade")


def responses(problems) -> tuple[list[dict], dict[tuple[str, int], str]]:
    """4 samples per problem, each of a known kind; returns rows and the category expected."""
    rows, expected = [], {}
    for i, p in enumerate(problems):
        kinds = [
            ("stop", f"<think>\nok\n</think>\n\n$\\boxed{{{p.gold}}}$", None),
            ("stop", "<think>\nok\n</think>\n\n$\\boxed{1234567}$", None),
            # only box inside the reasoning, cut right after </think>
            ("stop", f"<think>\nIt is \\boxed{{{p.gold}}}.\n</think>\n", "answer_in_think"),
            # stopped by the token limit after a right box (problems 0-2 only)
            ("length", f"<think>\nok\n</think>\n\n\\boxed{{{p.gold}}} because", "truncated"),
        ]
        if i >= 3:  # cut inside its reasoning with a wrong box: wrong under both conventions
            kinds[3] = ("length", "<think>\nIt is \\boxed{1234567} or", None)
        for j, (finish, text, category) in enumerate(kinds):
            rows.append(
                {"problem_id": p.id, "sample_index": j, "response": text, "finish_reason": finish}
            )
            if category:
                expected[(p.id, j)] = category
    return rows, expected


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def harness_eval(results: Path, run_id: str, replay: Path, *extra: str) -> Path:
    out = inproc.harness_eval(
        f"benchmark.source={DATA}", "backend=replay", f"backend.path={replay}", "sampling.n=4",
        "grading.workers=1", f"results_dir={results}", f"run_id={run_id}", *extra,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return results / run_id


def harness_compare(a: Path, b: Path, out: Path) -> tuple[dict, str]:
    got = inproc.harness_compare(str(a), str(b), "--out", str(out))
    assert got.returncode == 0, got.stderr[-3000:]
    return json.loads((out / "compare.json").read_text()), got.stdout


def pass1(run: Path) -> float:
    return json.loads((run / "metrics.json").read_text())["metrics"]["pass@1"]["value"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compare")
    problems, _ = load_benchmark(compose([f"benchmark.source={DATA}"]).benchmark)
    rows, expected = responses(problems)
    same = write(tmp / "same.jsonl", rows)
    changed = [dict(r) for r in rows]
    changed[0]["response"] = changed[0]["response"].replace(problems[0].gold, "1234567")
    results = tmp / "results"
    return {
        "expected": expected,
        "problems": problems,
        "r1": harness_eval(results, "r1", same, *R1_RULE),
        "lenient": harness_eval(results, "lenient", same, *LENIENT),
        "changed": harness_eval(results, "changed", write(tmp / "c.jsonl", changed)),
        "fewer": harness_eval(results, "fewer", same, "limit=4"),
        "tmp": tmp,
    }


def test_two_conventions_list_exactly_the_differing_items(runs):
    result, stdout = harness_compare(runs["r1"], runs["lenient"], runs["tmp"] / "c1")
    got = {(i["problem_id"], i["sample_index"]): i["category"] for i in result["items"]}
    assert got == runs["expected"]
    assert result["categories"] == {
        "truncated": 3, "answer_in_think": 5, "extraction": 0, "equivalence": 0,
        "different_response": 0,
    }  # fmt: skip
    assert all(i["a_correct"] is False and i["b_correct"] is True for i in result["items"])
    # pass@1 of each run is its own metrics.json value, and the effects add up to the difference
    assert result["a"]["pass@1"]["value"] == pytest.approx(pass1(runs["r1"]), abs=0.01)
    assert result["b"]["pass@1"]["value"] == pytest.approx(pass1(runs["lenient"]), abs=0.01)
    diff = result["diff"]["pass@1"]
    assert diff == pytest.approx(pass1(runs["r1"]) - pass1(runs["lenient"]), abs=0.01)
    assert diff == pytest.approx(-100 * 8 / 20)
    assert sum(result["effects"].values()) == pytest.approx(diff, abs=1e-9)
    assert result["effects"]["truncated"] == pytest.approx(-15.0)
    assert result["effects"]["answer_in_think"] == pytest.approx(-25.0)
    shared = result["diff"]["shared"]
    assert (shared["n_problems"], shared["n_samples"]) == (5, 4)
    for key in ("fixed_set", "generalisation"):
        lo, hi = shared[key]["ci95"]
        assert lo <= shared["value"] <= hi
    # one log graded twice: the fixed-set SE is that of the per-sample differences
    assert shared["fixed_set"]["same_responses"] is True
    d = np.zeros((5, 4))
    for (pid, j), _ in runs["expected"].items():
        d[[p.id for p in runs["problems"]].index(pid), j] = -1.0
    assert shared["fixed_set"]["se"] == pytest.approx(100 * fixed_set_mean(d).se)
    assert result["a"]["grading_convention"]["r1_rule"] is True
    assert result["b"]["grading_convention"] == {
        "answer_region": "anywhere", "truncated": "grade", "r1_rule": False,
    }  # fmt: skip
    assert "answer_in_think" in stdout and "generalisation" in stdout and "fixed set" in stdout


def test_runs_record_their_convention(runs):
    for name, region in (("r1", "after_think"), ("lenient", "anywhere")):
        metrics = json.loads((runs[name] / "metrics.json").read_text())
        prov = json.loads((runs[name] / "provenance.json").read_text())
        assert metrics["grading_convention"]["answer_region"] == region
        assert prov["grading_convention"] == metrics["grading_convention"]
        assert prov["backend"]["format"] == "replay"
        assert prov["backend"]["format_chosen_by"].startswith("auto: ")


def test_a_changed_response_is_different_response(runs):
    result, _ = harness_compare(runs["r1"], runs["changed"], runs["tmp"] / "c2")
    assert [(i["problem_id"], i["sample_index"], i["category"]) for i in result["items"]] == [
        (runs["problems"][0].id, 0, "different_response")
    ]
    assert result["effects"]["different_response"] == pytest.approx(5.0)
    assert result["diff"]["shared"]["fixed_set"]["same_responses"] is False
    assert result["diff"]["pass@1"] == pytest.approx(5.0)


def test_problems_on_one_side_are_counted_apart_not_listed_as_differing(runs):
    result, stdout = harness_compare(runs["r1"], runs["fewer"], runs["tmp"] / "c3")
    assert result["items"] == [] and "missing" not in result["categories"]
    assert result["diff"]["pass@1"] == result["diff"]["shared"]["value"] == pytest.approx(0.0)
    unshared = result["diff"]["unshared"]
    assert (unshared["a_only"], unshared["b_only"]) == (4, 0)  # the 5th problem's 4 samples
    diff = pass1(runs["r1"]) - pass1(runs["fewer"])
    assert result["diff"]["unpaired"] == pytest.approx(diff, abs=0.01)
    assert unshared["effect"] == pytest.approx(diff, abs=0.01)
    assert "4 in A only, 0 in B only" in stdout


def test_compare_refuses_changed_runs_bad_arguments_and_an_out_inside_a_run(runs, tmp_path, capsys):
    from harness.cli.compare import main

    for args, message in (
        (["--resamples", "0"], "argument --resamples: 0 is not an integer ≥ 1"),
        (["--confidence", "1.5"], "argument --confidence: 1.5 is not in (0, 1)"),
        (["--confidence", "0"], "argument --confidence: 0.0 is not in (0, 1)"),
        (["--out", str(runs["r1"] / "sub")], "lies inside the run directory"),
    ):
        with pytest.raises(SystemExit) as stop:
            main([str(runs["r1"]), str(runs["lenient"]), *args])
        assert stop.value.code == 2 and message in capsys.readouterr().err
    assert not (runs["r1"] / "sub").exists()
    # a run whose samples.jsonl lost its last line after it finished (or ends in a partial one)
    import shutil

    cut = shutil.copytree(runs["fewer"], tmp_path / "cut")
    text = (cut / "samples.jsonl").read_text()
    for damaged in (text[: text.rindex("\n", 0, len(text) - 1) + 1], text[:-20]):
        (cut / "samples.jsonl").write_text(damaged)
        with pytest.raises(SystemExit) as stop:
            main([str(runs["r1"]), str(cut), "--out", str(tmp_path / "o")])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and f"{cut / 'samples.jsonl'}: its sha256 differs" in err
        assert "Traceback" not in err
    (cut / "complete.json").unlink()
    with pytest.raises(SystemExit):
        main([str(runs["r1"]), str(cut), "--out", str(tmp_path / "o")])
    assert "has no complete.json" in capsys.readouterr().err
    assert not (tmp_path / "o" / "compare.json").exists()


def test_an_empty_samples_file_that_complete_json_vouches_for_is_named(runs, tmp_path, capsys):
    """Found by tests/property: it was "A and B share no problem", naming neither file."""
    import shutil

    from harness.cli.compare import main
    from harness.store.run_dir import mark_complete

    empty = shutil.copytree(runs["fewer"], tmp_path / "empty")
    (empty / "samples.jsonl").write_text("")
    mark_complete(empty)
    with pytest.raises(SystemExit) as stop:
        main([str(runs["r1"]), str(empty), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and f"{empty / 'samples.jsonl'} holds no samples" in err


def test_a_config_section_that_is_not_a_mapping_is_named(runs, tmp_path, capsys):
    """Found by tests/property: ``benchmark: n`` in a config.yaml that complete.json vouches for
    was an AttributeError traceback."""
    import shutil

    from harness.cli.compare import main
    from harness.store.run_dir import mark_complete

    bad = shutil.copytree(runs["fewer"], tmp_path / "bad")
    for section in ("benchmark", "grading", "model"):
        text = (runs["fewer"] / "config.yaml").read_text()
        (bad / "config.yaml").write_text(f"{text}\n{section}: n\n")
        mark_complete(bad)
        with pytest.raises(SystemExit) as stop:
            main([str(runs["r1"]), str(bad), "--out", str(tmp_path / "o")])
        err = capsys.readouterr().err
        assert stop.value.code == 2 and "Traceback" not in err
        assert f"{bad / 'config.yaml'}: {section} is not a mapping" in err


def test_uneven_sample_indices_that_complete_json_vouches_for_are_named(runs, tmp_path, capsys):
    """Found by tests/property: one flipped byte in a problem id gave a KeyError traceback."""
    import shutil

    from harness.cli.compare import main
    from harness.store.run_dir import mark_complete

    bad = shutil.copytree(runs["fewer"], tmp_path / "bad")
    lines = (bad / "samples.jsonl").read_text().splitlines(keepends=True)
    row = json.loads(lines[0])
    lines[0] = json.dumps({**row, "problem_id": "u" + row["problem_id"]}) + "\n"
    (bad / "samples.jsonl").write_text("".join(lines))
    mark_complete(bad)
    with pytest.raises(SystemExit) as stop:
        main([str(runs["r1"]), str(bad), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "Traceback" not in err
    assert f"{bad / 'samples.jsonl'}: problem 'u{row['problem_id']}' has sample indices [0]" in err
