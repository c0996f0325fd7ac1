"""`kindred doctor`: plain findings, non-zero exit when something is wrong."""

from __future__ import annotations

from pathlib import Path

from kindred.cli.doctor import Finding, check_configuration, check_providers, run_checks
from kindred.settings import Settings
from tests.cli.test_cli import kindred
from tests.conftest import make_settings


def _by_check(findings: list[Finding]) -> dict[str, Finding]:
    return {finding.check: finding for finding in findings}


async def test_a_migrated_database_without_redis_is_healthy(settings: Settings) -> None:
    found = _by_check(await run_checks(settings))
    assert {name: f.level for name, f in found.items()} == {
        "configuration": "ok",
        "providers": "ok",
        "database": "ok",
        "migrations": "ok",
        "redis": "ok",
    }
    assert "not configured" in found["redis"].detail


async def test_pending_migrations_are_reported(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", tmp_path)
    found = _by_check(await run_checks(settings))
    assert found["migrations"].level == "fail"
    assert "kindred migrate" in found["migrations"].detail


async def test_unreachable_services_are_named(tmp_path: Path) -> None:
    settings = make_settings(
        "postgresql+asyncpg://postgres@127.0.0.1:1/none", tmp_path, redis_url="redis://127.0.0.1:1"
    )
    found = _by_check(await run_checks(settings))
    assert found["database"].level == "fail"
    assert "cannot reach the database" in found["database"].detail
    assert found["redis"].level == "fail"
    assert "migrations" not in found


async def test_redis_dispatch_without_redis_is_a_configuration_error(
    settings: Settings,
) -> None:
    broken = settings.model_copy(update={"job_dispatch": "redis"})
    found = _by_check(await run_checks(broken))
    assert found["configuration"].level == "fail"
    assert "REDIS_URL" in found["configuration"].detail


def test_doctor_exits_non_zero_and_says_what_is_wrong(tmp_path: Path) -> None:
    result = kindred("doctor", data_dir=tmp_path)
    assert result.returncode == 1
    assert "migrations" in result.stdout
    assert "run `kindred migrate`" in result.stdout


def test_doctor_passes_after_migrate(tmp_path: Path) -> None:
    assert kindred("migrate", data_dir=tmp_path).returncode == 0
    result = kindred("doctor", data_dir=tmp_path)
    assert result.returncode == 0, result.stdout


def test_sandbox_providers_are_fine_and_live_ones_need_credentials(settings: Settings) -> None:
    live = settings.model_copy(
        update={"delivery_mode": "live", "email_provider": "mailersend", "mailersend_api_key": None}
    )
    [sandbox] = check_providers(settings)
    [missing] = check_providers(live)
    assert (sandbox.level, missing.level) == ("ok", "fail")
    assert "KINDRED_MAILERSEND_API_KEY" in missing.detail


def test_production_without_a_metrics_token_is_a_warning(settings: Settings) -> None:
    production = settings.model_copy(update={"environment": "production"})
    scraped = production.model_copy(update={"metrics_token": "scrape-token"})
    warnings = [f.detail for f in check_configuration(production) if f.level == "warn"]
    assert any("KINDRED_METRICS_TOKEN" in detail for detail in warnings)
    assert not any("METRICS" in f.detail for f in check_configuration(scraped))
