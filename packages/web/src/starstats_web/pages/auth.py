"""Account pages under `/auth`: sign up, log in, log out, verify the email address, resend
the verification mail. Refusals from the API come back as messages next to the field they
concern, with what the player typed kept (never the password)."""

from dataclasses import dataclass, field
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from starstats_web.errors import ApiError, ApiRateLimited, ApiUnavailable
from starstats_web.metrics import AuthAction, AuthOutcome
from starstats_web.nextpath import safe_next
from starstats_web.pages.deps import ClientIp, State, Token, csrf_protected
from starstats_web.session import clear_session, session_token, set_session

log = structlog.get_logger(__name__)

router = APIRouter(prefix="/auth")

MIN_PASSWORD_LENGTH = 12  # the API counts bytes; the form's hint counts characters


@dataclass
class FormErrors:
    fields: dict[str, str] = field(default_factory=dict)
    form: str | None = None


def _wait_text(exc: ApiRateLimited) -> str:
    if exc.retry_after:
        return f"Too many attempts from your address. Try again in {exc.retry_after} seconds."
    return "Too many attempts from your address. Try again in a minute."


def _signup_errors(exc: ApiError) -> FormErrors:
    messages = {
        "invalid_email": ("email", "Enter an email address like name@example.com."),
        "email_taken": ("email", "An account with this email already exists. Log in instead?"),
        "password_too_short": (
            "password",
            f"Use at least {MIN_PASSWORD_LENGTH} characters; a passphrase is easiest.",
        ),
        "password_too_long": ("password", "That password is too long (1,024 bytes at most)."),
        "missing_handle": ("handle", "Enter your RSI handle."),
        "invalid_handle": (
            "handle",
            "A handle is 1 to 64 letters, digits, underscores or hyphens.",
        ),
        "handle_taken": ("handle", "This handle is already claimed by another account."),
    }
    if isinstance(exc, ApiRateLimited):
        return FormErrors(form=_wait_text(exc))
    if exc.code in messages:
        name, text = messages[exc.code]
        return FormErrors(fields={name: text})
    if exc.code == "invalid_request":
        return FormErrors(form="One of the fields is far too long.")
    return FormErrors(form=f"Sign-up failed: {exc.detail or exc.code}.")


def _login_errors(exc: ApiError) -> FormErrors:
    if isinstance(exc, ApiRateLimited):
        return FormErrors(form=_wait_text(exc))
    if exc.code in ("invalid_credentials", "invalid_request"):
        return FormErrors(form="Email or password is wrong.")
    return FormErrors(form=f"Login failed: {exc.detail or exc.code}.")


def _outcome(exc: ApiError) -> AuthOutcome:
    return AuthOutcome.RATE_LIMITED if isinstance(exc, ApiRateLimited) else AuthOutcome.REJECTED


def _signed_in(state: State, token: str, target: str) -> Response:
    response = RedirectResponse(target, status_code=303)
    set_session(response, token, secure=state.settings.cookie_secure)
    return response


# -- sign up ---------------------------------------------------------------------------------
@router.get("/signup")
async def signup_page(request: Request, state: State) -> Response:
    if session_token(request) is not None:
        return RedirectResponse("/dashboard", status_code=303)
    return state.pages.render(request, "auth/signup.html", {"values": {}, "errors": FormErrors()})


@router.post("/signup", dependencies=[Depends(csrf_protected(AuthAction.SIGNUP))])
async def signup(
    request: Request,
    *,
    state: State,
    ip: ClientIp,
    email: Annotated[str, Form()] = "",
    handle: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    values = {"email": email.strip(), "handle": handle.strip()}
    try:
        created = await state.api.signup(values["email"], password, values["handle"], client_ip=ip)
    except ApiError as exc:
        state.metrics.record_auth(AuthAction.SIGNUP, _outcome(exc))
        return state.pages.render(
            request,
            "auth/signup.html",
            {"values": values, "errors": _signup_errors(exc)},
            status=exc.status if 400 <= exc.status < 500 else 400,
        )
    except ApiUnavailable:
        state.metrics.record_auth(AuthAction.SIGNUP, AuthOutcome.ERROR)
        raise
    state.metrics.record_auth(AuthAction.SIGNUP, AuthOutcome.OK)
    return _signed_in(state, created.token, "/dashboard?notice=welcome")


# -- log in / out ----------------------------------------------------------------------------
@router.get("/login")
async def login_page(request: Request, state: State, next: str | None = None) -> Response:
    target = safe_next(next)
    if session_token(request) is not None:
        return RedirectResponse(target, status_code=303)
    return state.pages.render(
        request,
        "auth/login.html",
        {"values": {}, "errors": FormErrors(), "next": target},
    )


@router.post("/login", dependencies=[Depends(csrf_protected(AuthAction.LOGIN))])
async def login(
    request: Request,
    *,
    state: State,
    ip: ClientIp,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    target = safe_next(next)
    values = {"email": email.strip()}
    try:
        session = await state.api.login(values["email"], password, client_ip=ip)
    except ApiError as exc:
        state.metrics.record_auth(AuthAction.LOGIN, _outcome(exc))
        return state.pages.render(
            request,
            "auth/login.html",
            {"values": values, "errors": _login_errors(exc), "next": target},
            status=exc.status if 400 <= exc.status < 500 else 400,
        )
    except ApiUnavailable:
        state.metrics.record_auth(AuthAction.LOGIN, AuthOutcome.ERROR)
        raise
    state.metrics.record_auth(AuthAction.LOGIN, AuthOutcome.OK)
    return _signed_in(state, session.token, target)


@router.post("/logout", dependencies=[Depends(csrf_protected(AuthAction.LOGOUT))])
async def logout(request: Request, state: State) -> Response:
    # The API revokes the token, so a copied cookie stops working now. If the API cannot be
    # reached (or the token had expired), forgetting the cookie still logs this browser out.
    token = session_token(request)
    if token is not None:
        try:
            await state.api.logout(token)
        except (ApiError, ApiUnavailable) as exc:
            log.warning("logout_not_revoked", error=type(exc).__name__)
    response = RedirectResponse("/auth/login?notice=logged_out", status_code=303)
    clear_session(response, secure=state.settings.cookie_secure)
    state.metrics.record_auth(AuthAction.LOGOUT, AuthOutcome.OK)
    return response


# -- email verification ----------------------------------------------------------------------
@router.get("/verify")
async def verify(request: Request, state: State, ip: ClientIp, token: str = "") -> Response:
    """The link from the verification mail. A mail scanner may have opened it first, so a
    refused link for an account that is verified by now says so instead of failing."""
    verified_email = None
    already = False
    problem = None
    if not token.strip():
        problem = "missing"
    else:
        try:
            done = await state.api.verify_email(token.strip(), client_ip=ip)
            verified_email = done.email
            state.metrics.record_auth(AuthAction.VERIFY, AuthOutcome.OK)
        except ApiError as exc:
            state.metrics.record_auth(AuthAction.VERIFY, _outcome(exc))
            problem = "invalid"
    signed_in = session_token(request)
    if problem is not None and signed_in is not None:
        try:
            already = (await state.api.me(signed_in)).email_verified
        except ApiError:
            already = False
    status = 400 if problem is not None and not already else 200
    return state.pages.render(
        request,
        "auth/verify.html",
        {
            "verified_email": verified_email,
            "already": already,
            "problem": problem,
            "signed_in": signed_in is not None,
        },
        status=status,
    )


@router.post("/resend", dependencies=[Depends(csrf_protected(AuthAction.RESEND))])
async def resend(state: State, token: Token, ip: ClientIp) -> Response:
    try:
        sent = (await state.api.resend_verification(token, client_ip=ip)).sent
    except ApiRateLimited:
        state.metrics.record_auth(AuthAction.RESEND, AuthOutcome.RATE_LIMITED)
        notice = "resend_rate_limited"
    except ApiError as exc:
        if exc.code != "already_verified":
            raise
        state.metrics.record_auth(AuthAction.RESEND, AuthOutcome.REJECTED)
        notice = "already_verified"
    else:
        state.metrics.record_auth(AuthAction.RESEND, AuthOutcome.OK)
        notice = "verification_sent" if sent else "mail_failed"
    return RedirectResponse(f"/dashboard?notice={notice}", status_code=303)
