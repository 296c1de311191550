"""Configuration = YAML + environment.

Values may reference the environment as ``${VAR}`` or ``${VAR:default}`` (the same syntax
``nameko run --config`` accepts). Production mode refuses to start with development secrets.

Secrets have no usable default in config.yaml. Outside production, a git-ignored file of
random development secrets (``config/development-secrets.env``, ``KEY=value`` lines, made by
``scripts/setup.sh`` through ``python -m kernel.config ensure-development-secrets``) stands
in for the environment: the environment still wins. Production never reads that file.
"""
import argparse
import fcntl
import os
import re
import secrets
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PATH = os.path.join(ROOT, "config", "config.yaml")
DEFAULT_SECRETS_FILE = os.path.join(ROOT, "config", "development-secrets.env")
# A default may itself hold {placeholders} (one level), e.g. the per-service DSN template.
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::((?:[^{}]|\{[^{}]*\})*))?\}")

# The secrets every process needs, with the well-known values older versions shipped as
# development defaults: production refuses those values, and a missing or empty secret.
DEVELOPMENT_SECRETS = {
    "JWT_SECRET": "dev-jwt-secret-not-for-production",
    "SERVICE_DB_PASSWORD": "dev-db-password",
    "WEBHOOK_SIGNING_SECRET": "dev-webhook-secret",
    "DEPARTMENT_AMQP_SECRET": "dev-department-amqp-secret",
}


class ConfigError(Exception):
    pass


def _substitute(text, variables):
    def replace(match):
        name, default = match.group(1), match.group(2)
        if name in variables:
            return variables[name]
        if default is None:
            raise ConfigError(f"environment variable {name} is required by the config")
        return default
    return _ENV_REF.sub(replace, text)


def secrets_file_path():
    return os.environ.get("SECRETS_FILE") or DEFAULT_SECRETS_FILE


def read_env_file(path):
    """``KEY=value`` lines (``#`` comments, blank lines ignored); {} if there is no file."""
    values = {}
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if line and not line.startswith("#") and "=" in line:
                    key, _, value = line.partition("=")
                    values[key.strip()] = value.strip()
    except FileNotFoundError:
        pass
    return values


def ensure_development_secrets(path=None):
    """Give every secret of DEVELOPMENT_SECRETS a random value in the development secrets
    file, keeping those it already has (so a second run changes nothing). Returns the
    names it added. The file is created readable by its owner only; a lock makes two
    first runs at once agree on one set of values."""
    path = path or secrets_file_path()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        present = read_env_file(path)
        missing = [name for name in DEVELOPMENT_SECRETS if not present.get(name)]
        if missing and not present:
            handle.write("# Random development secrets of this checkout (made by scripts/setup.sh; git-ignored).\n"
                         "# The environment overrides them; production never reads this file.\n")
        for name in missing:
            # URL-safe: SERVICE_DB_PASSWORD goes into a DSN unquoted.
            handle.write(f"{name}={secrets.token_urlsafe(32)}\n")
    return missing


def load_config(path=None):
    path = path or os.environ.get("CONFIG") or DEFAULT_PATH
    variables = dict(os.environ)
    if os.environ.get("APP_ENV", "development").lower() != "production":
        variables = {**read_env_file(secrets_file_path()), **variables}
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(_substitute(handle.read(), variables)) or {}
    check_secrets(config)
    return config


def is_production(config):
    return str(config.get("APP_ENV", "development")).lower() == "production"


def check_secrets(config):
    """Refuse an empty secret always, and in production also a missing one, the well-known
    development values and the guest broker account."""
    if not is_production(config):
        empty = sorted(key for key in DEVELOPMENT_SECRETS if key in config and not config[key])
        if empty:
            raise ConfigError(", ".join(empty) + " not set: run scripts/setup.sh (it writes random development "
                              f"secrets to {os.path.relpath(secrets_file_path(), ROOT)}) or set them in the environment")
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


def main(argv=None):
    parser = argparse.ArgumentParser(description="Configuration helpers")
    parser.add_argument("command", choices=("ensure-development-secrets",))
    parser.parse_args(argv)
    path = secrets_file_path()
    added = ensure_development_secrets(path)
    print(f"{path}: " + (f"generated {', '.join(added)}" if added else "present"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
