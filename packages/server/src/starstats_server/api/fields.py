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
