"""kernel.config: ${VAR:default} substitution and the production secrets guard."""
import pytest

from kernel.config import DEVELOPMENT_SECRETS, ConfigError, load_config, service_dsn

REAL_SECRETS = {
    "JWT_SECRET": "a-real-jwt-secret-0f3c9",
    "SERVICE_DB_PASSWORD": "a-real-db-password-71d2",
    "WEBHOOK_SIGNING_SECRET": "a-real-webhook-secret-9e41",
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
"""
ENV_OF = {"JWT_SECRET": "UT_JWT_SECRET", "SERVICE_DB_PASSWORD": "UT_SERVICE_DB_PASSWORD",
          "WEBHOOK_SIGNING_SECRET": "UT_WEBHOOK_SIGNING_SECRET", "AMQP_URI": "UT_AMQP_URI"}


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
                                         "AMQP_URI"])
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
                        "JWT_SECRET: j-real\nSERVICE_DB_PASSWORD: p-real\n")
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
    for name in ("JWT_SECRET", "SERVICE_DB_PASSWORD", "WEBHOOK_SIGNING_SECRET", "CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AMQP_URI", GUEST_AMQP)
    with pytest.raises(ConfigError) as caught:
        load_config()
    for key in ("JWT_SECRET", "SERVICE_DB_PASSWORD", "WEBHOOK_SIGNING_SECRET", "AMQP_URI"):
        assert key in str(caught.value)
