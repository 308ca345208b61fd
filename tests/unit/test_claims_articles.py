"""Every press claim cites its article by outlet, title and date (seeds/articles_index.yaml).

The articles are not in the repository. With ``R1_ARTICLES_DIR`` set to a folder holding them,
``test_quotes_are_verbatim_in_the_articles`` also checks each file's sha256 and every quote;
without it that test is deselected.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from harness.claims import ClaimError, load_claims
from harness.claims.articles import Article, check_article_texts, load_articles
from harness.report.verdicts import source_text
from tests.conftest import full_data_dir

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def articles() -> dict[str, Article]:
    return load_articles(SEEDS)


def test_every_cited_article_is_indexed_and_attached(articles: dict[str, Article]) -> None:
    claims = [c for c in load_claims(SEEDS) if c.source.article]
    assert len(claims) > 20
    assert {c.source.article for c in claims} == set(articles)
    for claim in claims:
        ref = claim.source.article_ref
        assert ref == articles[claim.source.article]
        assert f"{ref.citation}: “{claim.source.quote}”" in source_text(claim.source)


def test_entries_say_outlet_title_and_date_or_why_not(articles: dict[str, Article]) -> None:
    assert len(articles) == 5
    for article in articles.values():
        ends = [date.fromisoformat(d) for d in article.published.split("/")]
        # R1 was released on 20 January 2025; every piece reacts to it.
        assert date(2025, 1, 20) <= ends[0] <= ends[-1] <= date(2025, 2, 28)
        assert "Outlet:" in article.basis and "Date:" in article.basis, article.file
        assert article.outlet or "Outlet: not named in the copy" in article.basis, article.file
        assert article.title or "Title: none in the copy" in article.basis, article.file
        assert (article.outlet or "outlet not named") in article.citation
    assert {a.outlet for a in articles.values()} - {None} == {"BigDATAwire", "Financial Times"}


def _seeds_with(tmp_path: Path, index: str, article: str = "a.txt") -> Path:
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "protocols.yaml").write_text("protocols:\n  - id: p\n    document: somewhere\n")
    (tmp_path / "c.yaml").write_text(
        "claims:\n  - id: c1\n    kind: value\n    statement: x scores 1\n"
        f"    source: {{document: doc, article: {article}, quote: holds q}}\n"
        "    protocol: p\n    model: m\n    benchmark: aime24\n    metric: pass@1\n"
        "    value: 1.0\n"
    )
    (tmp_path / "articles_index.yaml").write_text(index)
    return tmp_path


GOOD_ENTRY = (
    "articles:\n  - file: a.txt\n    published: 2025-01-21/2025-01-27\n"
    f"    sha256: {'a' * 64}\n    basis: b\n"
)


def test_unindexed_article_is_an_error_at_the_claim(tmp_path: Path) -> None:
    with pytest.raises(ClaimError) as err:
        load_claims(_seeds_with(tmp_path, GOOD_ENTRY, article="b.txt"))
    assert err.value.key == "source.article" and err.value.path.name == "c.yaml"
    assert "articles_index.yaml" in err.value.reason


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        (GOOD_ENTRY.replace("2025-01-21/2025-01-27", "late January"), "published"),
        (GOOD_ENTRY.replace("2025-01-21/2025-01-27", "2025-01-27/2025-01-21"), "published"),
        (GOOD_ENTRY.replace("a" * 64, "abc"), "sha256"),
        (GOOD_ENTRY + "    author: someone\n", "author"),
    ],
)
def test_malformed_entries_name_their_key(tmp_path: Path, entry: str, key: str) -> None:
    with pytest.raises(ClaimError) as err:
        load_claims(_seeds_with(tmp_path, entry))
    assert err.value.key == key and err.value.path.name == "articles_index.yaml"


def test_checker_reports_changed_files_and_missing_quotes(tmp_path: Path) -> None:
    seeds = _seeds_with(tmp_path / "seeds", GOOD_ENTRY)
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("the  text\nholds q here")
    claims = load_claims(seeds)
    index = load_articles(seeds)
    problems = check_article_texts(claims, index, folder)
    assert problems == [f"a.txt: sha256 differs from {index['a.txt'].location}"]
    (folder / "a.txt").write_text("no quote")
    assert any("quote not found in a.txt" in p for p in check_article_texts(claims, index, folder))
    sha = hashlib.sha256(b"holds q").hexdigest()
    (folder / "a.txt").write_bytes(b"holds q")
    fixed = {"a.txt": Article(**{**index["a.txt"].__dict__, "sha256": sha})}
    assert check_article_texts(claims, fixed, folder) == []


@pytest.mark.full_data("articles")
def test_quotes_are_verbatim_in_the_articles(articles: dict[str, Article]) -> None:
    folder = full_data_dir("articles")
    assert folder is not None
    assert check_article_texts(load_claims(SEEDS), articles, folder) == []
