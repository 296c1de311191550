#!/usr/bin/env bash
# The web clients' checks, run by `make test` before pytest: the TypeScript type check
# (vue-tsc), the Vitest unit tests, and that web/src/api/schema.d.ts was generated from the
# gateway's current OpenAPI document (run `make api-types` after changing a route or schema).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
.venv/bin/python -m tools.export_openapi web/build/openapi.json >/dev/null
cd web
npm run --silent check:api
npm run --silent typecheck
npm run --silent test
