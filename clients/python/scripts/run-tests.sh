#!/bin/sh
# The Python client's tests (from the repository root): `npm run test:python`, and test/clients/python-client.test.ts.
# Python: $AISYST_PYTHON or python3. Without httpx and pytest: skipped with one message, or a failure under CI=true.
PY="${AISYST_PYTHON:-python3}"
if ! "$PY" -c 'import httpx, pytest' >/dev/null 2>&1; then
  hint="pip install -e './clients/python[test]' (or apt-get install python3-httpx python3-pytest and AISYST_PYTHON=/usr/bin/python3)"
  if [ "${CI:-}" = "true" ]; then
    echo "python tests: httpx and pytest are missing for $PY — $hint" >&2
    exit 1
  fi
  echo "python tests skipped: httpx and pytest are missing for $PY — $hint"
  exit 0
fi
exec "$PY" -m pytest clients/python -q "$@"
