"""`kure check --deploy` with the environment docs/deploy.md recommends has nothing to say, and it does complain
when that environment is incomplete (so the clean run is not clean by accident)."""

import os
import secrets
import subprocess
import sys

import pytest

KURE = [sys.executable, "-m", "kure.cli"]


def _check(tmp_path, **env_vars: str) -> subprocess.CompletedProcess:
    # The operator's environment, not this test process's: the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE here,
    # which check --deploy rightly reports.
    dropped = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("KURE_") and k not in dropped}
    env.update({"KURE_DATA_DIR": str(tmp_path), **env_vars})
    return subprocess.run([*KURE, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True,
                          text=True, timeout=120)


def production(**overrides: str) -> dict[str, str]:
    env = {"KURE_HTTPS": "1", "KURE_SECRET_KEY": secrets.token_urlsafe(64), "KURE_ALLOWED_HOSTS": "example.org"}
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_recommended_production_settings_pass_without_a_single_warning(tmp_path):
    result = _check(tmp_path, **production())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_opting_in_to_hsts_for_subdomains_and_preload_is_clean_too(tmp_path):
    result = _check(tmp_path, **production(KURE_HSTS_INCLUDE_SUBDOMAINS="1", KURE_HSTS_PRELOAD="1"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.parametrize(("change", "expected"), [
    ({"KURE_HTTPS": None}, ["security.W004", "security.W008", "security.W012", "security.W016"]),
    ({"KURE_DEBUG": "1"}, ["security.W018"]),
    ({"KURE_SECRET_KEY": "kisa-anahtar"}, ["security.W009"]),
    ({"KURE_SSL_REDIRECT": "0"}, ["security.W008"]),
], ids=["no-https", "debug", "short-key", "no-redirect"])
def test_an_incomplete_production_environment_is_reported(tmp_path, change, expected):
    env = production()
    for key, value in change.items():
        env.pop(key, None)
        if value is not None:
            env[key] = value
    result = _check(tmp_path, **env)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for code in expected:
        assert code in output, output
