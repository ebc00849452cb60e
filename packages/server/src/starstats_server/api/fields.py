"""Request field types shared by routes: strict strings that are real Unicode text.

JSON can smuggle lone UTF-16 surrogates (`"\\ud800"`) into a Python `str`; such a string
cannot be encoded as UTF-8, so it could reach neither argon2 nor the database. It is refused
here as a schema error (422) instead of failing later as a 500.
"""

from typing import Annotated

from pydantic import AfterValidator, Field


def _encodable(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text (no lone surrogates)") from None
    return value


Text = Annotated[str, Field(strict=True), AfterValidator(_encodable)]


# Handles and org slugs: ASCII patterns, which rule out surrogates by themselves. The pattern
# sits in the same `Field` as `strict` on purpose: a constraint placed after `Text`'s
# validator would still be enforced but would vanish from the published JSON schema.
HANDLE_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
SLUG_PATTERN = r"^[A-Za-z0-9-]{3,40}$"
HandleText = Annotated[str, Field(strict=True, pattern=HANDLE_PATTERN)]
SlugText = Annotated[str, Field(strict=True, pattern=SLUG_PATTERN)]
