"""Typer application: one sub-command per operational task."""

from __future__ import annotations

import asyncio
import logging

import typer
from rich.console import Console

from kindred.core.db import migrate as migrations
from kindred.core.memory import settle_after_start_up
from kindred.settings import get_settings

app = typer.Typer(
    help="Kindred: open-source CRM and outreach platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
admin_app = typer.Typer(help="Platform administration.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")
console = Console()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="API worker processes (needs PostgreSQL and Redis)."),
) -> None:
    """Apply migrations and serve the API (SQLite, in-process jobs and sandbox by default)."""
    import uvicorn

    settings = get_settings()
    migrations.upgrade(settings.resolved_database_url)
    console.print(f"Kindred on http://{host}:{port}  (API reference: /docs)")
    uvicorn.run(
        "kindred.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@app.command()
def migrate(
    check: bool = typer.Option(False, help="Fail if the models differ from the migrations."),
) -> None:
    """Apply every pending database migration."""
    settings = get_settings()
    migrations.upgrade(settings.resolved_database_url)
    if check:
        differences = asyncio.run(_differences(settings.resolved_database_url))
        if differences:
            console.print("[red]Models and migrations differ:[/red]")
            for difference in differences:
                console.print(f"  {difference}")
            raise typer.Exit(1)
    console.print("[green]Database is up to date.[/green]")


async def _differences(url: str) -> list[object]:
    from kindred.core.db.engine import build_engine

    engine = build_engine(get_settings(), url)
    async with engine.connect() as connection:
        found = await connection.run_sync(migrations.pending_differences)
    await engine.dispose()
    return found


@app.command()
def worker(
    scheduler: bool = typer.Option(False, help="Also run the scheduler tick (run exactly one)."),
) -> None:
    """Run background job workers against the Redis broker."""
    logging.basicConfig(level=logging.INFO)
    asyncio.run(_run_worker(scheduler))


async def _run_worker(scheduler: bool) -> None:
    from taskiq.api import run_receiver_task

    import kindred.tasks  # noqa: F401 - registers every task
    from kindred.core.db.session import Database
    from kindred.core.jobs.runtime import JobRuntime

    settings = get_settings()
    if not settings.redis_url:
        console.print(
            "[red]`kindred worker` needs REDIS_URL; `kindred serve` runs jobs itself.[/red]"
        )
        raise typer.Exit(2)
    database = Database.from_settings(settings)
    runtime = JobRuntime(database, settings)
    await runtime.start(scheduler=scheduler)
    assert runtime.broker is not None
    settle_after_start_up()
    console.print(f"worker consuming {settings.job_queue_name!r} (scheduler: {scheduler})")
    try:
        await run_receiver_task(runtime.broker, run_startup=False)
    finally:
        await runtime.stop()
        await database.dispose()


@app.command()
def doctor() -> None:
    """Check configuration, providers, database, migrations and Redis; exit 1 on problems."""
    from rich.markup import escape

    from kindred.cli.doctor import run_checks

    findings = asyncio.run(run_checks(get_settings()))
    colours = {"ok": "green", "warn": "yellow", "fail": "red"}
    for finding in findings:
        colour = colours[finding.level]
        line = f"{finding.level.upper():4}[/{colour}] {finding.check}: {escape(finding.detail)}"
        console.print(f"[{colour}]{line}", soft_wrap=True)
    if any(finding.level == "fail" for finding in findings):
        raise typer.Exit(1)


@admin_app.command("create")
def admin_create(
    email: str = typer.Option(..., help="The admin's email."),
    password: str = typer.Option(..., prompt=True, hide_input=True, help="The admin's password."),
    name: str = typer.Option("Administrator", help="Display name."),
) -> None:
    """Create a platform admin (or promote an existing account)."""
    settings = get_settings()
    migrations.upgrade(settings.resolved_database_url)
    created = asyncio.run(_create_admin(email, password, name))
    console.print(f"[green]Platform admin {'created' if created else 'promoted'}: {email}[/green]")


async def _create_admin(email: str, password: str, name: str) -> bool:
    from kindred.admin.service import ensure_platform_admin
    from kindred.core.db.session import Database

    database = Database.from_settings(get_settings())
    try:
        async with database.session_scope() as session:
            return await ensure_platform_admin(session, email=email, password=password, name=name)
    finally:
        await database.dispose()


@admin_app.command("rotate-secrets-key")
def admin_rotate_secrets_key(
    new_key: bool = typer.Option(
        False, "--new-key", help="Only print a fresh key to put first in KINDRED_SECRETS_KEY."
    ),
) -> None:
    """Re-encrypt every stored secret with the first key of KINDRED_SECRETS_KEY."""
    from kindred.core import secrets

    if new_key:
        typer.echo(secrets.new_key())
        return
    settings = get_settings()
    migrations.upgrade(settings.resolved_database_url)
    rotated = asyncio.run(_rotate_secrets())
    console.print(f"[green]Re-encrypted the secrets of {rotated} rows with the first key.[/green]")


async def _rotate_secrets() -> int:
    from kindred.core.db.session import Database
    from kindred.core.secrets import SecretBox, rotate_secrets
    from kindred.models import metadata

    settings = get_settings()
    database = Database.from_settings(settings)
    try:
        async with database.session_scope() as session:
            return await rotate_secrets(session, SecretBox.from_settings(settings), metadata)
    finally:
        await database.dispose()
