"""The claims under test: typed records loaded from ``seeds/`` and validated on load."""

from harness.claims.errors import ClaimError
from harness.claims.load import load_claims, load_file, load_protocols
from harness.claims.margins import (
    GroupRule,
    Margin,
    check_margins,
    load_groups,
    load_margins,
    n_pub_for,
)
from harness.claims.model import (
    Claim,
    ComparisonSpec,
    Location,
    NotMeasurableSpec,
    Protocol,
    ResourceSpec,
    Side,
    Source,
    TrendSpec,
    ValueSpec,
)

__all__ = [
    "Claim",
    "ClaimError",
    "ComparisonSpec",
    "GroupRule",
    "Location",
    "Margin",
    "NotMeasurableSpec",
    "Protocol",
    "ResourceSpec",
    "Side",
    "Source",
    "TrendSpec",
    "ValueSpec",
    "check_margins",
    "load_claims",
    "load_file",
    "load_groups",
    "load_margins",
    "n_pub_for",
    "load_protocols",
]
