#!/usr/bin/env bash
# Mutation testing of the modules where a silent regression costs users data or trust
# (configured in pyproject.toml's [tool.mutmut]; see docs/testing.md). Too slow for every
# CI run (about 55 minutes on 2 CPUs), so it is run by hand:
#
#   scripts/mutation.sh            # every module, then the figures
#   scripts/mutation.sh --report   # the figures of the last run only
#   scripts/mutation.sh 'memories_tui.masking*'   # some mutants only (mutmut's names)
#
# mutmut works in a copy of the project (mutants/, ignored by git) and remembers its
# results there; `mutmut show NAME` prints one mutant's change.
set -euo pipefail
cd "$(dirname "$0")/.."

# Of api/client.py only what decides whether a delete is sent, and sent once.
CLIENT="memories_tui.api.client"
MUTANTS=(
  "memories_tui.services.deletes.*"
  "${CLIENT}.xǁMemoriesClientǁdelete_videos__mutmut_*"
  "${CLIENT}.xǁMemoriesClientǁ_with_retries__mutmut_*"
  "${CLIENT}.xǁ_Attemptǁ*"
  "memories_tui.api.download.*"
  "memories_tui.services.downloads.*"
  "memories_tui.filenames.*"
  "memories_tui.safetext.*"
  "memories_tui.masking.*"
  "memories_tui.api.retry.*"
  "memories_tui.tui.modals.confirm_delete.*"
)

if [[ "${1:-}" != "--report" ]]; then
  if [[ $# -gt 0 ]]; then
    MUTANTS=("$@")
  fi
  # Shares the machine: every CPU, at a lower priority.
  nice -n 10 mutmut run "${MUTANTS[@]}" | tail -n 3
fi
python scripts/mutation_report.py
