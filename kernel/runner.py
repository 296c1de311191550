"""Start one process: ``python -m kernel.runner services.deputy.service``.

Monkey-patches first (nameko's CLI would too), loads YAML+env config, refuses development
secrets in production, sets up JSON logging, then runs the module's nameko service(s).
"""
import warnings

# The stack is pinned to eventlet (ARCHITECTURE.md); its deprecation notice is known.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402  must precede every other import

import importlib  # noqa: E402
import sys  # noqa: E402

from nameko.cli.run import run  # noqa: E402

from kernel.bootstrap import service_classes  # noqa: E402
from kernel.config import ConfigError, load_config  # noqa: E402
from kernel.logs import configure_logging  # noqa: E402


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        sys.exit("usage: python -m kernel.runner <module> [<module> ...]")
    try:
        config = load_config()
    except ConfigError as exc:
        sys.exit(f"refusing to start: {exc}")
    configure_logging("+".join(argv), config.get("LOG_LEVEL", "INFO"))
    services = []
    for module_name in argv:
        services.extend(service_classes(importlib.import_module(module_name)))
    if not services:
        sys.exit(f"no nameko service class found in {argv}")
    run(services, config)


if __name__ == "__main__":
    main()
