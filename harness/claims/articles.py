"""The press articles the seeds cite: outlet, title and date per file (seeds/articles_index.yaml).

The articles are not shipped (copyrighted press texts). The index records each file's sha256, so
whoever holds the same files can check every quote with :func:`check_article_texts`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from harness.claims.errors import ClaimError
from harness.claims.model import Article, Claim, Location
from harness.claims.nodes import Fields, keyed_records

ARTICLES_INDEX_FILE = "articles_index.yaml"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _published(f: Fields) -> str:
    text = f.text("published")
    try:
        ends = [date.fromisoformat(part) for part in text.split("/")]
    except ValueError:
        ends = []
    if not 1 <= len(ends) <= 2 or ends != sorted(ends):
        raise f.error("published", f"{text!r} is not an ISO date or a start/end interval")
    return text


def _article(f: Fields) -> Article:
    article = Article(
        file=f.text("file"),
        published=_published(f),
        sha256=f.text("sha256"),
        basis=" ".join(f.text("basis").split()),
        location=Location(f.path, f.line),
        outlet=f.text("outlet", None),
        title=f.text("title", None),
        url=f.text("url", None),
    )
    if not _SHA256.fullmatch(article.sha256):
        raise f.error("sha256", "expected 64 lowercase hex digits")
    f.done()
    return article


def load_articles(seeds_dir: Path) -> dict[str, Article]:
    """Articles by file name from ``seeds_dir/articles_index.yaml`` (empty when it is absent).

    Raises:
        ClaimError: On a malformed or duplicate entry, naming its line and key.
    """
    path = Path(seeds_dir) / ARTICLES_INDEX_FILE
    if not path.is_file():
        return {}
    return keyed_records(path, "articles", _article, lambda a: a.file, "file", "duplicate")


def attach_articles(claims: list[Claim], articles: dict[str, Article]) -> list[Claim]:
    """``claims`` with each article claim's ``source.article_ref`` set from the index.

    Raises:
        ClaimError: At the claim, when its article is not in the index.
    """
    out = []
    for claim in claims:
        name = claim.source.article
        if name is not None:
            if name not in articles:
                loc = claim.location
                reason = f"{name!r} has no entry in {ARTICLES_INDEX_FILE} (outlet, title, date)"
                raise ClaimError(loc.path, loc.line, "source.article", reason)
            source = replace(claim.source, article_ref=articles[name])
            claim = replace(claim, source=source)
        out.append(claim)
    return out


def check_article_texts(
    claims: list[Claim], articles: dict[str, Article], folder: Path
) -> list[str]:
    """What does not match between the index, the claims' quotes and the article files.

    Each indexed file must exist in ``folder`` with its recorded sha256, and each article claim's
    quote must occur in its article (whitespace runs compared as one space).

    Returns:
        One line per problem; empty when everything matches.
    """
    problems: list[str] = []
    texts: dict[str, str] = {}
    for name, article in articles.items():
        path = Path(folder) / name
        if not path.is_file():
            problems.append(f"{name}: not in {folder}")
            continue
        blob = path.read_bytes()
        if hashlib.sha256(blob).hexdigest() != article.sha256:
            problems.append(f"{name}: sha256 differs from {article.location}")
        texts[name] = " ".join(blob.decode("utf-8").split())
    for claim in claims:
        name, quote = claim.source.article, claim.source.quote
        if name in texts and " ".join((quote or "").split()) not in texts[name]:
            problems.append(f"{claim.id} ({claim.location}): quote not found in {name}")
    return problems
