"""kernel.config: ${VAR:default} substitution and the production secrets guard."""
import pytest

import os
import stat

from kernel.config import (DEFAULT_PATH, DEVELOPMENT_SECRETS, ConfigError, ensure_development_secrets, load_config,
                           read_env_file, service_dsn)

REAL_SECRETS = {
    "JWT_SECRET": "a-real-jwt-secret-0f3c9",
    "SERVICE_DB_PASSWORD": "a-real-db-password-71d2",
    "WEBHOOK_SIGNING_SECRET": "a-real-webhook-secret-9e41",
    "DEPARTMENT_AMQP_SECRET": "a-real-department-secret-5c1a",
}
REAL_AMQP = "amqp://renda:s3cret@127.0.0.1:5672/renda"
GUEST_AMQP = "amqp://guest:guest@127.0.0.1:5672/"

# The same shape as config/config.yaml: every secret has a development default.
PRODUCTION_YAML = """
APP_ENV: ${UT_APP_ENV:production}
AMQP_URI: ${UT_AMQP_URI:amqp://guest:guest@127.0.0.1:5672/}
SERVICE_DB_PASSWORD: ${UT_SERVICE_DB_PASSWORD:dev-db-password}
JWT_SECRET: ${UT_JWT_SECRET:dev-jwt-secret-not-for-production}
WEBHOOK_SIGNING_SECRET: ${UT_WEBHOOK_SIGNING_SECRET:dev-webhook-secret}
DEPARTMENT_AMQP_SECRET: ${UT_DEPARTMENT_AMQP_SECRET:dev-department-amqp-secret}
"""
ENV_OF = {"JWT_SECRET": "UT_JWT_SECRET", "SERVICE_DB_PASSWORD": "UT_SERVICE_DB_PASSWORD",
          "WEBHOOK_SIGNING_SECRET": "UT_WEBHOOK_SIGNING_SECRET", "DEPARTMENT_AMQP_SECRET": "UT_DEPARTMENT_AMQP_SECRET",
          "AMQP_URI": "UT_AMQP_URI"}


@pytest.fixture
def write_config(tmp_path, monkeypatch):
    for name in ("UT_APP_ENV", "UT_NAME", "UT_PORT", "UT_DSN", "UT_REQUIRED", *ENV_OF.values()):
        monkeypatch.delenv(name, raising=False)

    def write(text):
        path = tmp_path / "config.yaml"
        path.write_text(text, encoding="utf-8")
        return str(path)
    return write


def test_plain_default_and_environment_override(write_config, monkeypatch):
    path = write_config("NAME: ${UT_NAME:renda}\nPORT: ${UT_PORT:8080}\nLIST: ${UT_LIST:[0.2, 0.5]}\n")
    monkeypatch.delenv("UT_LIST", raising=False)
    assert load_config(path) == {"NAME": "renda", "PORT": 8080, "LIST": [0.2, 0.5]}
    monkeypatch.setenv("UT_NAME", "other")
    monkeypatch.setenv("UT_PORT", "9090")
    assert load_config(path)["NAME"] == "other" and load_config(path)["PORT"] == 9090


def test_default_may_hold_placeholders(write_config, monkeypatch):
    path = write_config("SERVICE_DATABASE_URL: ${UT_DSN:postgresql://svc_{service}:{password}@db:5432/renda}\n"
                        "SERVICE_DB_PASSWORD: pw\n")
    config = load_config(path)
    assert config["SERVICE_DATABASE_URL"] == "postgresql://svc_{service}:{password}@db:5432/renda"
    assert service_dsn(config, "deputy") == "postgresql://svc_deputy:pw@db:5432/renda"
    monkeypatch.setenv("UT_DSN", "postgresql://svc_{service}:{password}@other/x")
    assert service_dsn(load_config(path), "news") == "postgresql://svc_news:pw@other/x"


def test_missing_required_variable_is_a_config_error(write_config):
    path = write_config("A: 1\nB: ${UT_REQUIRED}\n")
    with pytest.raises(ConfigError, match="UT_REQUIRED"):
        load_config(path)


def test_empty_default_is_allowed(write_config):
    assert load_config(write_config("A: x${UT_REQUIRED:}y\n")) == {"A": "xy"}


def test_development_mode_accepts_development_secrets(write_config, monkeypatch):
    monkeypatch.setenv("UT_APP_ENV", "development")
    config = load_config(write_config(PRODUCTION_YAML))
    assert config["JWT_SECRET"] == DEVELOPMENT_SECRETS["JWT_SECRET"]


@pytest.mark.parametrize("left_at_dev", ["JWT_SECRET", "SERVICE_DB_PASSWORD", "WEBHOOK_SIGNING_SECRET",
                                         "DEPARTMENT_AMQP_SECRET", "AMQP_URI"])
def test_production_refuses_each_development_secret(write_config, monkeypatch, left_at_dev):
    for key, value in {**REAL_SECRETS, "AMQP_URI": REAL_AMQP}.items():
        if key != left_at_dev:
            monkeypatch.setenv(ENV_OF[key], value)
    if left_at_dev == "AMQP_URI":
        monkeypatch.setenv("UT_AMQP_URI", GUEST_AMQP)
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(PRODUCTION_YAML))
    message = str(caught.value)
    assert left_at_dev in message
    assert all(other not in message for other in ENV_OF if other != left_at_dev)


def test_production_names_every_development_secret_at_once(write_config):
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(PRODUCTION_YAML))
    for key in ENV_OF:
        assert key in str(caught.value)


def test_production_refuses_a_missing_secret(write_config, monkeypatch):
    monkeypatch.setenv("UT_AMQP_URI", REAL_AMQP)
    path = write_config("APP_ENV: production\nAMQP_URI: ${UT_AMQP_URI}\n"
                        "JWT_SECRET: j-real\nSERVICE_DB_PASSWORD: p-real\nDEPARTMENT_AMQP_SECRET: d-real\n")
    with pytest.raises(ConfigError, match="WEBHOOK_SIGNING_SECRET"):
        load_config(path)


def test_production_accepts_real_secrets(write_config, monkeypatch):
    for key, value in {**REAL_SECRETS, "AMQP_URI": REAL_AMQP}.items():
        monkeypatch.setenv(ENV_OF[key], value)
    config = load_config(write_config(PRODUCTION_YAML))
    assert config["APP_ENV"] == "production"
    assert config["JWT_SECRET"] == REAL_SECRETS["JWT_SECRET"] and config["AMQP_URI"] == REAL_AMQP


def test_shipped_config_is_refused_in_production(monkeypatch):
    """config/config.yaml itself: APP_ENV=production alone must not start with its defaults."""
    monkeypatch.setenv("APP_ENV", "production")
    for name in (*DEVELOPMENT_SECRETS, "CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AMQP_URI", GUEST_AMQP)
    with pytest.raises(ConfigError) as caught:
        load_config()
    for key in (*DEVELOPMENT_SECRETS, "AMQP_URI"):
        assert key in str(caught.value)


# -- development secrets: random, per checkout, never a well-known default -------------------
@pytest.fixture
def no_secrets_in_env(monkeypatch, tmp_path):
    for name in (*DEVELOPMENT_SECRETS, "CONFIG", "APP_ENV"):
        monkeypatch.delenv(name, raising=False)
    secrets_file = tmp_path / "development-secrets.env"
    monkeypatch.setenv("SECRETS_FILE", str(secrets_file))
    return secrets_file


def test_shipped_config_has_no_usable_secret_default(no_secrets_in_env):
    """Without the environment and without the generated file, nothing signs tokens or opens
    the database with a value everyone knows: the shipped config refuses to load."""
    with pytest.raises(ConfigError) as caught:
        load_config()
    for key in DEVELOPMENT_SECRETS:
        assert key in str(caught.value)
    shipped = open(DEFAULT_PATH, encoding="utf-8").read()
    for value in DEVELOPMENT_SECRETS.values():
        assert value not in shipped


def test_generated_development_secrets_are_random_and_reused(no_secrets_in_env, tmp_path):
    assert sorted(ensure_development_secrets()) == sorted(DEVELOPMENT_SECRETS)
    first = read_env_file(no_secrets_in_env)
    assert set(first) == set(DEVELOPMENT_SECRETS)
    assert all(len(value) >= 40 for value in first.values()) and len(set(first.values())) == len(first)
    assert not set(first.values()) & set(DEVELOPMENT_SECRETS.values())
    assert stat.S_IMODE(os.stat(no_secrets_in_env).st_mode) == 0o600
    assert ensure_development_secrets() == [] and read_env_file(no_secrets_in_env) == first  # reused
    config = load_config()
    assert {key: config[key] for key in DEVELOPMENT_SECRETS} == first
    other = tmp_path / "other-checkout.env"
    ensure_development_secrets(str(other))
    assert read_env_file(other)["JWT_SECRET"] != first["JWT_SECRET"]  # another checkout, other secrets


def test_a_secret_missing_from_the_file_is_added_and_the_others_kept(no_secrets_in_env):
    no_secrets_in_env.write_text("# older file\nJWT_SECRET=kept-value-of-an-older-run\n")
    assert "JWT_SECRET" not in ensure_development_secrets()
    values = read_env_file(no_secrets_in_env)
    assert values["JWT_SECRET"] == "kept-value-of-an-older-run" and set(values) == set(DEVELOPMENT_SECRETS)


def test_the_environment_wins_over_the_secrets_file(no_secrets_in_env, monkeypatch):
    ensure_development_secrets()
    monkeypatch.setenv("JWT_SECRET", "from-the-environment")
    config = load_config()
    assert config["JWT_SECRET"] == "from-the-environment"
    assert config["SERVICE_DB_PASSWORD"] == read_env_file(no_secrets_in_env)["SERVICE_DB_PASSWORD"]


def test_production_never_reads_the_development_secrets_file(no_secrets_in_env, monkeypatch):
    ensure_development_secrets()
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("AMQP_URI", REAL_AMQP)
    with pytest.raises(ConfigError) as caught:
        load_config()
    for key in DEVELOPMENT_SECRETS:
        assert key in str(caught.value)
