"""Rules for travel lines (see events/travel.py)."""

from starstats_core.classify.rule import KeywordRules, NameRules

NAME_RULES: NameRules = {}
KEYWORD_RULES: KeywordRules = ()
