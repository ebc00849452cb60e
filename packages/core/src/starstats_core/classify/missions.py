"""Rules for missions lines (see events/missions.py)."""

from starstats_core.classify.rule import KeywordRules, NameRules

NAME_RULES: NameRules = {}
KEYWORD_RULES: KeywordRules = ()
