"""Rules for combat lines (see events/combat.py)."""

from starstats_core.classify.rule import KeywordRules, NameRules

NAME_RULES: NameRules = {}
KEYWORD_RULES: KeywordRules = ()
