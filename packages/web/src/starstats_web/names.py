"""Player handles and organisation slugs as the API's routes accept them. Pure.

A value that fails these can never name anything on the API, so pages answer it without a
call (a profile or org that is not there), and it never becomes part of an API path."""

import re

HANDLE = re.compile(r"[A-Za-z0-9_-]{1,64}")
SLUG = re.compile(r"[A-Za-z0-9-]{3,40}")


def is_handle(value: str) -> bool:
    return HANDLE.fullmatch(value) is not None


def is_slug(value: str) -> bool:
    return SLUG.fullmatch(value) is not None
