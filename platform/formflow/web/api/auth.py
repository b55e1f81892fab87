"""API: tokens and the caller's own account."""

from __future__ import annotations

from typing import Any

from flask import request

from formflow.services import auth, org
from formflow.services.actor import Actor
from formflow.web.api import schemas
from formflow.web.api.registry import Api, ApiCall


def _me(call: ApiCall) -> dict[str, Any]:
    user = org.get_user(call.session, call.actor.id or 0)
    return {**schemas.user_dict(user), "roles": sorted(call.actor.roles)}


def register(api: Api) -> None:
    @api.operation(
        "POST",
        "/auth/token",
        summary="Exchange a username and password for an API token",
        tag="auth",
        body=schemas.TokenRequest,
        response=schemas.TokenResponse,
        status=201,
        anonymous=True,
        errors=(401, 429),
    )
    def create_token(call: ApiCall) -> Any:
        """Repeated failures lock the username and the client address for a while (429)."""
        outcome = auth.check_login(
            call.session,
            call.runtime.auth_policy,
            call.body["username"],
            call.body["password"],
            client=request.remote_addr or "",
        )
        if outcome.failure is not None:
            call.error_after_commit = outcome.failure
            return {"token": "", "expires_at": None}
        user = outcome.user_or_raise()
        actor: Actor = auth.actor_for(call.session, user)
        days = call.runtime.settings.token_days
        token = auth.create_token(call.session, actor, user, name=call.body["name"], days=days)
        tokens = auth.list_tokens(call.session, actor, user.id)
        return {"token": token, "expires_at": tokens[-1].expires_at if tokens else None}

    @api.operation(
        "GET",
        "/auth/tokens",
        summary="List my API tokens",
        tag="auth",
        response=schemas.TokenInfo,
        many=True,
    )
    def list_tokens(call: ApiCall) -> Any:
        return auth.list_tokens(call.session, call.actor, call.actor.id or 0)

    @api.operation(
        "DELETE",
        "/auth/tokens/<int:token_id>",
        summary="Revoke an API token",
        tag="auth",
        status=204,
        errors=(404,),
    )
    def revoke_token(call: ApiCall, token_id: int) -> Any:
        auth.revoke_token(call.session, call.actor, token_id)
        return None

    @api.operation("GET", "/me", summary="Who am I", tag="auth", response=schemas.MeOut)
    def get_me(call: ApiCall) -> Any:
        return _me(call)

    @api.operation(
        "PATCH",
        "/me",
        summary="Change my profile",
        tag="auth",
        body=schemas.UserUpdate,
        response=schemas.MeOut,
        errors=(403, 409),
    )
    def update_me(call: ApiCall) -> Any:
        org.update_user(call.session, call.actor, call.actor.id or 0, call.body)
        return _me(call)

    @api.operation(
        "POST",
        "/me/password",
        summary="Change my password",
        tag="auth",
        body=schemas.PasswordChange,
        status=204,
        description="Ends every other session and token of the account.",
    )
    def change_password(call: ApiCall) -> Any:
        org.set_password(
            call.session,
            call.actor,
            call.actor.id or 0,
            call.body["new_password"],
            current_password=call.body.get("current_password"),
        )
        return None
