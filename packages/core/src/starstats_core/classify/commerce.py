"""Rules for commerce lines (see events/commerce.py)."""

from starstats_core.classify.rule import KeywordRules, NameRules

NAME_RULES: NameRules = {}
KEYWORD_RULES: KeywordRules = ()
