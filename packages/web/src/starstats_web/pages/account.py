"""`/settings`: the account as the API knows it, and deleting it for good after the
password is typed again (`/settings/delete`)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from starstats_web.errors import ApiError, ApiRateLimited, ApiUnauthorized, ApiUnavailable
from starstats_web.metrics import AuthAction, AuthOutcome
from starstats_web.pages.auth import FormErrors
from starstats_web.pages.deps import ClientIp, State, Token, csrf_protected
from starstats_web.session import clear_session
from starstats_web.state import WebState

router = APIRouter(prefix="/settings")


@router.get("")
async def settings_page(request: Request, state: State, token: Token) -> Response:
    me = await state.api.me(token)
    return state.pages.render(request, "settings.html", {"me": me})


async def _delete_page(
    request: Request, state: WebState, token: str, errors: FormErrors, status: int = 200
) -> Response:
    me = await state.api.me(token)
    return state.pages.render(
        request, "settings_delete.html", {"me": me, "errors": errors}, status=status
    )


@router.get("/delete")
async def confirm_delete(request: Request, state: State, token: Token) -> Response:
    return await _delete_page(request, state, token, FormErrors())


@router.post("/delete", dependencies=[Depends(csrf_protected(AuthAction.DELETE_ACCOUNT))])
async def delete_account(
    request: Request,
    *,
    state: State,
    token: Token,
    ip: ClientIp,
    password: Annotated[str, Form()] = "",
) -> Response:
    record = state.metrics.record_auth
    if not password:
        record(AuthAction.DELETE_ACCOUNT, AuthOutcome.REJECTED)
        errors = FormErrors(fields={"password": "Type your password to confirm."})
        return await _delete_page(request, state, token, errors, status=400)
    try:
        await state.api.delete_account(token, password, client_ip=ip)
    except ApiRateLimited as exc:
        record(AuthAction.DELETE_ACCOUNT, AuthOutcome.RATE_LIMITED)
        after = f"{exc.retry_after} seconds" if exc.retry_after else "a minute"
        errors = FormErrors(form=f"Too many attempts from your address. Try again in {after}.")
        return await _delete_page(request, state, token, errors, status=429)
    except ApiUnavailable:
        record(AuthAction.DELETE_ACCOUNT, AuthOutcome.ERROR)
        raise
    except ApiUnauthorized:
        raise  # the session itself ended: log in again
    except ApiError as exc:
        if exc.code == "wrong_password":
            record(AuthAction.DELETE_ACCOUNT, AuthOutcome.REJECTED)
            errors = FormErrors(fields={"password": "That password is wrong. Nothing was deleted."})
            return await _delete_page(request, state, token, errors, status=400)
        record(AuthAction.DELETE_ACCOUNT, AuthOutcome.ERROR)
        if exc.code == "spicedb_unavailable":
            # SpiceDB is configured but down: the API deletes nothing rather than leave a
            # share behind that a new holder of the handle would inherit.
            errors = FormErrors(
                form="Your account cannot be deleted right now: the server's permission "
                "service is not answering. Nothing was deleted; try again in a few minutes."
            )
            return await _delete_page(request, state, token, errors, status=503)
        if exc.code == "invalid_request":
            errors = FormErrors(fields={"password": "That password is wrong. Nothing was deleted."})
            return await _delete_page(request, state, token, errors, status=400)
        raise
    record(AuthAction.DELETE_ACCOUNT, AuthOutcome.OK)
    response = RedirectResponse("/auth/login?notice=account_deleted", status_code=303)
    clear_session(response, secure=state.settings.cookie_secure)
    return response
