"""`joinedup identity merge|unmerge|merges`: an identity steward's decisions, through the API.

Each command calls the running consent service (JOINEDUP_CONSENT_URL) with an
identity steward's bearer token (JOINEDUP_CONSENT_TOKEN, or --token): the
service checks the rules, publishes the decision to identity.merges and
answers with the merge. A refusal prints the field and the rule and exits 1.
"""

from __future__ import annotations

import os
from typing import Annotated, Any, NoReturn

import httpx
import typer

from services.cli.consent_load import DEFAULT_URL
from services.consent.adapters.consent_api import TOKEN_SETTING, URL_SETTING

identity_app = typer.Typer(
    help="Identity stewards: merge two child_refs of one child, unmerge, list merges.",
    no_args_is_help=True,
)
MERGES_PATH = "/v1/identity/merges"

# The same variables as `consent load`, which lists them in the settings table.
Url = Annotated[
    str | None,
    typer.Option(help=f"The consent service; default: {URL_SETTING}, else {DEFAULT_URL}."),
]
Token = Annotated[
    str | None, typer.Option(help=f"An identity steward's bearer token; default: {TOKEN_SETTING}.")
]
Reason = Annotated[str, typer.Option(help="Why, in the steward's words (kept on the record).")]


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def _call(url: str | None, token: str | None, method: str, path: str, **request: Any) -> Any:
    """One request to the consent service as an identity steward; the answer's JSON."""
    url = url or os.environ.get(URL_SETTING) or DEFAULT_URL
    token = token or os.environ.get(TOKEN_SETTING)
    if not token:
        _fail(f"{TOKEN_SETTING} (or --token) must be an identity steward's token")
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=url, headers=headers, timeout=30.0) as client:
            answer = client.request(method, path, **request)
    except httpx.TransportError as exc:
        _fail(
            f"{URL_SETTING} ({url}) must point at a running consent service ({type(exc).__name__})"
        )
    if answer.status_code in {httpx.codes.UNAUTHORIZED, httpx.codes.FORBIDDEN}:
        _fail(
            f"{TOKEN_SETTING} must be an identity steward's token "
            f"(the consent service answered {answer.status_code})"
        )
    if not answer.is_success:
        try:
            body = answer.json()
        except ValueError:
            body = {}
        field = body.get("field", "(request)") if isinstance(body, dict) else "(request)"
        rule = body.get("rule", answer.reason_phrase) if isinstance(body, dict) else ""
        _fail(f"refused: {field}: {rule} (HTTP {answer.status_code})")
    return answer.json()


def describe(merge: dict[str, Any]) -> str:
    """One line per merge: id, status, absorbed -> surviving, who and when."""
    line = (
        f"{merge['merge_id']}  {merge['status']:<8}  {merge['absorbed_child_ref']} -> "
        f"{merge['surviving_child_ref']}  by {merge['steward']} at {merge['decided_at']}"
    )
    if merge.get("unmerged_at"):
        line += f"; unmerged by {merge['unmerged_by']} at {merge['unmerged_at']}"
    return line


@identity_app.command()
def merge(
    *,
    surviving: Annotated[str, typer.Option(help="The child_ref that survives.")],
    absorbed: Annotated[str, typer.Option(help="The child_ref merged into the surviving one.")],
    reason: Reason,
    url: Url = None,
    token: Token = None,
) -> None:
    """Merge ABSORBED into SURVIVING: one child known by both child_refs."""
    body = {"surviving_child_ref": surviving, "absorbed_child_ref": absorbed, "reason": reason}
    typer.echo(describe(_call(url, token, "POST", MERGES_PATH, json=body)))


@identity_app.command()
def unmerge(
    merge_id: Annotated[str, typer.Argument(help="The merge to reverse (see `merges`).")],
    *,
    reason: Reason,
    url: Url = None,
    token: Token = None,
) -> None:
    """Reverse a merge: new events of the absorbed child_ref are its own again."""
    path = f"{MERGES_PATH}/{merge_id}/unmerge"
    typer.echo(describe(_call(url, token, "POST", path, json={"reason": reason})))


@identity_app.command()
def merges(
    *,
    child_ref: Annotated[
        str | None, typer.Option(help="Only merges naming this child_ref (either side).")
    ] = None,
    url: Url = None,
    token: Token = None,
) -> None:
    """List merges, oldest first (all of them, or those naming --child-ref)."""
    params = {"child_ref": child_ref} if child_ref else {}
    found = _call(url, token, "GET", MERGES_PATH, params=params)
    for entry in found:
        typer.echo(describe(entry))
    typer.echo(f"{len(found)} merge(s)")
