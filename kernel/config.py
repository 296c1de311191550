"""Configuration = YAML + environment.

Values may reference the environment as ``${VAR}`` or ``${VAR:default}`` (the same syntax
``nameko run --config`` accepts). Production mode refuses to start with development secrets.
"""
import os
import re

import yaml

DEFAULT_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "config", "config.yaml")
# A default may itself hold {placeholders} (one level), e.g. the per-service DSN template.
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::((?:[^{}]|\{[^{}]*\})*))?\}")

# Secrets that ship in config.yaml for development; production must override every one.
DEVELOPMENT_SECRETS = {
    "JWT_SECRET": "dev-jwt-secret-not-for-production",
    "SERVICE_DB_PASSWORD": "dev-db-password",
    "WEBHOOK_SIGNING_SECRET": "dev-webhook-secret",
}


class ConfigError(Exception):
    pass


def _substitute(text):
    def replace(match):
        name, default = match.group(1), match.group(2)
        if name in os.environ:
            return os.environ[name]
        if default is None:
            raise ConfigError(f"environment variable {name} is required by the config")
        return default
    return _ENV_REF.sub(replace, text)


def load_config(path=None):
    path = path or os.environ.get("CONFIG") or DEFAULT_PATH
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(_substitute(handle.read())) or {}
    check_secrets(config)
    return config


def is_production(config):
    return str(config.get("APP_ENV", "development")).lower() == "production"


def check_secrets(config):
    """Refuse development secrets (and the guest broker account) in production."""
    if not is_production(config):
        return
    offending = [key for key, dev_value in DEVELOPMENT_SECRETS.items()
                 if not config.get(key) or config.get(key) == dev_value]
    if "guest:guest@" in str(config.get("AMQP_URI", "")):
        offending.append("AMQP_URI")
    if offending:
        raise ConfigError("production mode refuses development secrets: " + ", ".join(sorted(offending)))


def service_dsn(config, service):
    """DSN for a service's own login role (one role and one schema per service)."""
    template = config.get("SERVICE_DATABASE_URL",
                          "postgresql://svc_{service}:{password}@127.0.0.1:5432/renda")
    return template.format(service=service, password=config.get("SERVICE_DB_PASSWORD", ""))
