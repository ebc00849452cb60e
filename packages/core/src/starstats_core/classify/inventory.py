"""Rules for inventory lines (see events/inventory.py)."""

from starstats_core.classify.rule import KeywordRules, NameRules

NAME_RULES: NameRules = {}
KEYWORD_RULES: KeywordRules = ()
