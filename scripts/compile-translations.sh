#!/usr/bin/env bash
# Compile usht_events/translations/*/LC_MESSAGES/messages.po into the .mo files Flask-Babel
# reads at run time. Fails on any error in a catalogue.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
[[ -x "$PYBABEL" ]] || { echo "compile-translations: $PYBABEL not found" >&2; exit 1; }

"$PYBABEL" compile --statistics -d usht_events/translations

for po in usht_events/translations/*/LC_MESSAGES/messages.po; do
  [[ -s "${po%.po}.mo" ]] || { echo "compile-translations: no ${po%.po}.mo" >&2; exit 1; }
done
