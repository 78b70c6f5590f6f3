#!/bin/sh
# Provision the cached "real Airflow" oracle virtual environments, outside the clone.
#
#   scripts/airflow/provision.sh [2] [3]      (default: both)
#
# Creates (idempotently):
#   ${PREFLIGHT_CACHE:-$HOME/.cache/airflow-preflight}/airflow-2.10/  apache-airflow 2.10.5 + providers-slack
#   ${PREFLIGHT_CACHE:-$HOME/.cache/airflow-preflight}/airflow-3/     apache-airflow 3.3.2 + providers-standard, -slack
# from the full pip freezes requirements-2.10.txt / requirements-3.txt beside this script
# (Airflow's own constraint files live on GitHub, which is not reachable here; the freezes
# play their role). Each venv gets a .complete file holding the sha256 of its requirements
# file; a changed requirements file (or a broken interpreter) re-provisions that venv from
# scratch. Install output goes to stderr; stdout gets one line per venv:
#   2 /path/to/airflow-2.10/bin/python
#   3 /path/to/airflow-3/bin/python
#
# Environment: PREFLIGHT_CACHE (cache root), PREFLIGHT_PYTHON (base interpreter, default
# python3; the freezes were made with CPython 3.11 on linux x86_64).
#
# Regenerating a freeze (e.g. to move to a newer Airflow):
#   python3 -m venv /tmp/v && /tmp/v/bin/pip install 'apache-airflow==X.Y.Z' <providers...>
#   then check test/oracle/structure.py works with /tmp/v/bin/python, and
#   /tmp/v/bin/pip freeze > scripts/airflow/requirements-<2.10|3>.txt (keep the header lines).
set -eu

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
cache=${PREFLIGHT_CACHE:-$HOME/.cache/airflow-preflight}
base_python=${PREFLIGHT_PYTHON:-python3}

log() { printf '%s\n' "provision: $*" >&2; }

file_hash() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d' ' -f1
    else
        "$base_python" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$1"
    fi
}

# is_ready DIR HASH: the venv at DIR was completed from a requirements file with HASH and runs.
is_ready() {
    [ -f "$1/.complete" ] && [ "$(cat "$1/.complete")" = "$2" ] \
        && [ -x "$1/bin/python" ] && "$1/bin/python" -c '' >/dev/null 2>&1
}

# provision NAME REQUIREMENTS_FILE
provision() {
    name=$1
    req=$2
    dir=$cache/$name
    [ -f "$req" ] || { log "missing $req"; exit 1; }
    want=$(file_hash "$req")
    if is_ready "$dir" "$want"; then
        return 0
    fi

    mkdir -p "$cache"
    # Serialise concurrent provisioners of the same venv (flock is util-linux; optional).
    lockfile=$cache/.$name.lock
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$lockfile"
        flock 9
        if is_ready "$dir" "$want"; then
            exec 9>&-
            return 0
        fi
    fi

    log "building $dir from $(basename "$req") (takes a few minutes)"
    start=$(date +%s)
    rm -rf "$dir"
    "$base_python" -m venv "$dir" >&2
    # Full freeze: every distribution is pinned, so the resolver only confirms the set.
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$dir/bin/python" -m pip install --no-input -r "$req" >&2
    # Smoke test; importing airflow writes airflow.cfg into AIRFLOW_HOME, so give it a scratch one.
    scratch=$(mktemp -d)
    if ! AIRFLOW_HOME=$scratch "$dir/bin/python" -c 'import airflow; print("airflow", airflow.__version__)' >&2; then
        rm -rf "$scratch"
        log "airflow does not import in $dir"
        exit 1
    fi
    rm -rf "$scratch"
    printf '%s\n' "$want" >"$dir/.complete"
    log "built $dir in $(( $(date +%s) - start ))s"
    if command -v flock >/dev/null 2>&1; then
        exec 9>&-
    fi
}

[ "$#" -gt 0 ] || set -- 2 3
for which in "$@"; do
    case $which in
        2 | 2.10) ;;
        3) ;;
        *) log "unknown venv '$which' (use 2 or 3)"; exit 2 ;;
    esac
done

for which in "$@"; do
    case $which in
        2 | 2.10)
            provision airflow-2.10 "$here/requirements-2.10.txt"
            printf '2 %s\n' "$cache/airflow-2.10/bin/python"
            ;;
        3)
            provision airflow-3 "$here/requirements-3.txt"
            printf '3 %s\n' "$cache/airflow-3/bin/python"
            ;;
    esac
done
