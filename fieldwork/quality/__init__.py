"""Quality rules over submitted responses: stable codes, severities, evidence as flags.

Pure: imports neither Flask nor SQLModel. The response service builds a
`Subject` from a stored response and `Neighbours` from a few indexed queries
and calls `evaluate` at submit time; the bulk run streams responses through a
`BulkIndex` twice. Both give the same flags for the same data, and evaluating
again gives equal flags, so re-running changes nothing unless a threshold did
(which `rules_version` then shows).
"""

from fieldwork.quality.bulk import BulkIndex, Noted, noted
from fieldwork.quality.evaluation import (
    COMBINED,
    FLAG_CODES,
    NOT_APPLIED,
    Checker,
    Message,
    evaluate,
    explain,
)
from fieldwork.quality.flags import N_, SEVERITIES, Flag, Severity
from fieldwork.quality.layout import answer_signature, fingerprint
from fieldwork.quality.rules import RULES, Rule
from fieldwork.quality.rules.timing import unwalked
from fieldwork.quality.settings import (
    COMBINE,
    DEFAULTS,
    KEY,
    Combination,
    RuleSettings,
    Settings,
    SettingsError,
    check_settings,
    rules_version,
    settings_of,
)
from fieldwork.quality.similarity import (
    NO_BANDS,
    Candidate,
    bands,
    farm,
    nearest_same_address,
)
from fieldwork.quality.subjects import (
    ALONE,
    FARM_CANDIDATES,
    SAME_IP_COUNTED,
    Earlier,
    Neighbours,
    OtherTest,
    ShadowFacts,
    Subject,
    active_seconds,
    as_utc,
)

__all__ = [
    "ALONE",
    "COMBINE",
    "COMBINED",
    "DEFAULTS",
    "FARM_CANDIDATES",
    "FLAG_CODES",
    "KEY",
    "NOT_APPLIED",
    "NO_BANDS",
    "N_",
    "RULES",
    "SAME_IP_COUNTED",
    "SEVERITIES",
    "BulkIndex",
    "Candidate",
    "Checker",
    "Combination",
    "Earlier",
    "Flag",
    "Message",
    "Neighbours",
    "Noted",
    "OtherTest",
    "Rule",
    "RuleSettings",
    "Settings",
    "SettingsError",
    "Severity",
    "ShadowFacts",
    "Subject",
    "active_seconds",
    "answer_signature",
    "as_utc",
    "bands",
    "check_settings",
    "evaluate",
    "explain",
    "farm",
    "fingerprint",
    "nearest_same_address",
    "noted",
    "rules_version",
    "settings_of",
    "unwalked",
]
