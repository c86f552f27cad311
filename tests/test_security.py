"""Security settings and rules a buyer or an auditor checks first."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "off",
        "HTTPS": "on",
        "SECRET_KEY": "x7!Kq2#vN9pL4$wR8zT1@mB6^cY3&hF5*jD0%gS2(eA7)uW9-oI4+nE1=rQ8",
        "ALLOWED_HOSTS": "carbon.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_responses_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    script = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script
    assert "'self'" in script
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_inline_script_handlers_or_styles():
    offenders = []
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    style_attr = re.compile(r"\sstyle\s*=", re.I)
    for path in (ROOT / "templates").rglob("*.html"):
        if "pdf" in path.parts:
            continue  # printed by WeasyPrint, never served to a browser
        text = path.read_text()
        for pattern in (inline_script, handler, style_attr):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern.pattern}")
    assert offenders == []


@pytest.mark.django_db
def test_login_is_throttled_after_five_failures(client, settings):
    from tests.factories import TEST_PASSWORD, UserFactory

    settings.AXES_ENABLED = True
    user = UserFactory(email="target@example.com")
    url = reverse("login")
    for _ in range(5):
        client.post(url, {"username": user.email, "password": "wrong-password"})
    response = client.post(url, {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_secure_cookies_when_served_over_https():
    env = {**os.environ, "HTTPS": "on", "DEBUG": "off"}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'carbonledger.settings'); django.setup(); "
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    ).stdout.split()
    assert out == ["True", "True", "True", "31536000"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/organisations/acme/entries/?business_unit=%00",
        "/orgs/acme/factors/?q=a%00b",
        "/accounts/login/?next=%00",
    ],
)
def test_nul_characters_in_the_address_get_400_not_a_server_error(client, org, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.content == b"The address holds a NUL character."


def _production_env(tmp_path, secret_key: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY")
    }
    env.update(
        {
            "DEBUG": "off",
            "HTTPS": "on",
            "ALLOWED_HOSTS": "carbon.example.com",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        }
    )
    if secret_key is not None:
        env["SECRET_KEY"] = secret_key
    return env


PUBLIC_KEYS = [
    "change-me-to-a-long-random-string-of-at-least-fifty-characters",
    "django-insecure-development-only-key-change-me",
    "",
    None,
]


@pytest.mark.parametrize("secret_key", PUBLIC_KEYS)
def test_check_deploy_fails_with_a_public_secret_key(tmp_path, secret_key):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=_production_env(tmp_path, secret_key),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "carbonledger.E001" in result.stderr


@pytest.mark.parametrize("entry", ["wsgi", "asgi"])
@pytest.mark.parametrize("secret_key", PUBLIC_KEYS)
def test_server_refuses_to_start_in_production_with_a_public_secret_key(
    tmp_path, entry, secret_key
):
    result = subprocess.run(
        [sys.executable, "-c", f"import carbonledger.{entry}"],
        cwd=ROOT,
        env=_production_env(tmp_path, secret_key),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is the development default" in result.stderr


@pytest.mark.parametrize("entry", ["wsgi", "asgi"])
def test_server_starts_with_a_real_key_or_in_development(tmp_path, entry):
    for env in (
        _production_env(tmp_path, "x7!Kq2#vN9pL4$wR8zT1@mB6^cY3&hF5*jD0%gS2(eA7)uW9"),
        {**_production_env(tmp_path, None), "DEBUG": "on"},
    ):
        result = subprocess.run(
            [sys.executable, "-c", f"import carbonledger.{entry}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr


def test_env_example_ships_no_secret_key():
    lines = (ROOT / ".env.example").read_text().splitlines()
    assert "SECRET_KEY=" in lines
