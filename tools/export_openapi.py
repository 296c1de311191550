"""Write the gateway's OpenAPI document to a file (the web clients generate their API types
from it: ``npm run gen:api`` in web/).

    python -m tools.export_openapi web/build/openapi.json
"""
import json
import pathlib
import sys
import warnings


def main(argv=None):
    target = pathlib.Path((argv or sys.argv[1:] or ["web/build/openapi.json"])[0])
    warnings.simplefilter("ignore")     # eventlet's deprecation notice on import
    from gateway import openapi
    from gateway.service import GatewayService
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(openapi.document(GatewayService), ensure_ascii=False, indent=2, sort_keys=True)
                      + "\n", encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
