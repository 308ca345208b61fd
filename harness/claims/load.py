"""Load and validate the claims registry in ``seeds/``.

``seeds/protocols.yaml`` holds the protocols (``protocols:`` list); every other ``*.yaml`` holds
claims (``claims:`` list) and may set ``defaults:`` (``protocol`` and ``source`` keys) that each
claim inherits unless it sets them itself. Across files: ids are unique, every protocol exists,
and a comparison side that cites a claim cites a value claim for the same model, benchmark and
metric. ``seeds/articles_index.yaml`` describes the press articles; every article claim's source
gets its entry (``source.article_ref``: outlet, title, date).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from harness.claims.articles import ARTICLES_INDEX_FILE, attach_articles, load_articles
from harness.claims.errors import ClaimError
from harness.claims.model import Claim, ComparisonSpec, Protocol, ValueSpec
from harness.claims.nodes import Fields, compose_file, keyed_records
from harness.claims.parse import parse_claim, parse_protocol

PROTOCOLS_FILE = "protocols.yaml"
NOT_CLAIMS = (PROTOCOLS_FILE, "margins.yaml", "groups.yaml", ARTICLES_INDEX_FILE)  # other records
_DEFAULTABLE = ("protocol", "source")


def load_protocols(seeds_dir: Path) -> dict[str, Protocol]:
    """Protocols by id from ``seeds_dir/protocols.yaml``."""
    path = Path(seeds_dir) / PROTOCOLS_FILE
    return keyed_records(path, "protocols", parse_protocol, lambda p: p.id, "id", "duplicate id")


def _with_defaults(node: yaml.Node, defaults: yaml.MappingNode | None) -> yaml.Node:
    """``node`` with the file's defaults filled in (one level deep for ``source``)."""
    if defaults is None or not isinstance(node, yaml.MappingNode):
        return node
    own = {k.value: (k, v) for k, v in node.value}
    pairs = list(node.value)
    for key_node, value_node in defaults.value:
        key = key_node.value
        if key not in own:
            pairs.append((key_node, value_node))
        elif isinstance(value_node, yaml.MappingNode) and isinstance(own[key][1], yaml.MappingNode):
            mine = own[key][1]
            have = {k.value for k, _ in mine.value}
            extra = [(k, v) for k, v in value_node.value if k.value not in have]
            merged = yaml.MappingNode(mine.tag, list(mine.value) + extra, mine.start_mark)
            pairs[pairs.index(own[key])] = (own[key][0], merged)
    return yaml.MappingNode(node.tag, pairs, node.start_mark, node.end_mark)


def load_file(path: Path) -> list[Claim]:
    """The claims of one seed file, each validated on its own."""
    root = Fields(path, compose_file(path))
    defaults = None
    if root.has("defaults"):
        sub = root.sub("defaults")
        for key in sub.present_keys():
            if key not in _DEFAULTABLE:
                raise sub.error(key, f"only {', '.join(_DEFAULTABLE)} can be defaulted")
        defaults = sub.node
    claims = [parse_claim(Fields(path, _with_defaults(n, defaults))) for n in root.seq("claims")]
    root.done()
    return claims


def _check_links(claims: list[Claim], protocols: dict[str, Protocol]) -> None:
    by_id: dict[str, Claim] = {}
    for claim in claims:
        loc = claim.location
        if claim.id in by_id:
            first = by_id[claim.id].location
            raise ClaimError(
                loc.path, loc.line, "id", f"duplicate id {claim.id!r} (first at {first})"
            )
        by_id[claim.id] = claim
        if claim.protocol not in protocols:
            raise ClaimError(loc.path, loc.line, "protocol", f"unknown protocol {claim.protocol!r}")
    for claim in claims:
        spec = claim.spec
        if isinstance(spec, ValueSpec) and spec.reproduces is not None:
            _check_reproduction(claim, spec, by_id)
        if not isinstance(spec, ComparisonSpec):
            continue
        loc = claim.location
        if spec.a.model == spec.b.model:
            raise ClaimError(loc.path, loc.line, "b.model", "a comparison needs two models")
        for name, side in (("a", spec.a), ("b", spec.b)):
            if side.claim is None:
                continue
            ref = by_id.get(side.claim)
            ok = (
                ref is not None
                and isinstance(ref.spec, ValueSpec)
                and (ref.spec.model, ref.spec.benchmark, ref.spec.metric)
                == (side.model, spec.benchmark, spec.metric)
            )
            if not ok:
                reason = f"{side.claim!r} is not a value claim for {side.model}, {spec.benchmark}"
                raise ClaimError(loc.path, loc.line, f"{name}.claim", f"{reason}, {spec.metric}")


def _check_reproduction(claim: Claim, spec: ValueSpec, by_id: dict[str, Claim]) -> None:
    """A reproduction names a value claim of the same model, benchmark and metric."""
    ref = by_id.get(spec.reproduces or "")
    same = (
        ref is not None
        and isinstance(ref.spec, ValueSpec)
        and ref.spec.reproduces is None
        and (ref.spec.model, ref.spec.benchmark, ref.spec.metric)
        == (spec.model, spec.benchmark, spec.metric)
    )
    if not same:
        loc = claim.location
        raise ClaimError(
            loc.path,
            loc.line,
            "reproduces",
            f"{spec.reproduces!r} is not an original value claim for {spec.model}, "
            f"{spec.benchmark}, {spec.metric}",
        )


def load_claims(seeds_dir: Path) -> list[Claim]:
    """Every claim in ``seeds_dir``, validated within and across files.

    Args:
        seeds_dir: The folder of seed YAML files (``seeds/``).

    Returns:
        Claims in file-name order, then file order.

    Raises:
        ClaimError: On the first malformed claim, naming its file, line and key.
    """
    seeds_dir = Path(seeds_dir)
    protocols = load_protocols(seeds_dir)
    claims: list[Claim] = []
    for path in sorted(seeds_dir.glob("*.yaml")):
        if path.name not in NOT_CLAIMS:
            claims.extend(load_file(path))
    _check_links(claims, protocols)
    return attach_articles(claims, load_articles(seeds_dir))
