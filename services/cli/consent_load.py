"""`joinedup consent load | templates`: sharing agreements from YAML files, through the API.

`load` reads agreements from files, asks the running consent service what it
holds, and creates the new ones and a new version of each changed one, as a
consent officer would on the page (`--dry-run`: only says what it would do).
`templates` copies the packaged agreement templates out for an authority to edit.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from services.config.exceptions import ConfigFileError
from services.config.files import agreement_templates
from services.consent.adapters.agreement_files import read_agreement_files
from services.consent.adapters.consent_api import (
    TOKEN_SETTING,
    URL_SETTING,
    ConsentApi,
    officer_client,
)
from services.consent.commands import CreateAgreement
from services.consent.loading import LoadPlan, Problem, apply_load, plan_load

DEFAULT_URL = "http://127.0.0.1:8010"


async def load_plan(
    url: str, token: str | None, drafts: Sequence[CreateAgreement], *, apply: bool
) -> LoadPlan:
    """Plan the load against the service at `url`; apply it when asked and nothing is wrong."""
    async with officer_client(url, token) as client:
        api = ConsentApi(client)
        reference = await api.reference()
        plan = plan_load(drafts, await api.agreements(), reference)
        if plan.problems or not apply:
            return plan
        return await apply_load(api, plan)


def _refuse(problems: Sequence[Problem]) -> NoReturn:
    for problem in problems:
        typer.echo(str(problem), err=True)
    typer.echo(f"{len(problems)} problem(s); nothing was changed", err=True)
    raise typer.Exit(1)


def load_agreements(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="YAML files of agreements, or folders of them.", exists=True, metavar="FILE"
        ),
    ],
    *,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would change; change nothing.")
    ] = False,
    url: Annotated[str, typer.Option(envvar=URL_SETTING, help="The consent service.")] = (
        DEFAULT_URL
    ),
    token: Annotated[
        str | None,
        typer.Option(envvar=TOKEN_SETTING, help="A consent officer's bearer token."),
    ] = None,
) -> None:
    """Load sharing agreements from YAML: create new ones, version changed ones, keep the rest."""
    found = read_agreement_files(files)
    apply = not dry_run and not found.problems
    plan = asyncio.run(load_plan(url, token, found.drafts, apply=apply))
    if found.problems or plan.problems:
        _refuse([*found.problems, *plan.problems])
    for planned in plan.agreements:
        typer.echo(planned.describe())
    if dry_run:
        typer.echo(f"dry run, nothing changed: {plan.summary()}")
    else:
        typer.echo(f"loaded: {plan.summary()}")


def copy_templates(
    folder: Annotated[Path, typer.Argument(help="Where to copy them (created when missing).")],
) -> None:
    """Copy the packaged agreement templates into FOLDER, to edit and then `consent load`."""
    templates = agreement_templates()
    taken = [template.name for template in templates if (folder / template.name).exists()]
    if taken:
        raise ConfigFileError(
            f"FOLDER ({folder}) must not hold {', '.join(taken)} already, "
            "because templates never overwrite a file"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for template in templates:
        shutil.copyfile(template, folder / template.name)
        typer.echo(str(folder / template.name))
