#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Varlink service of credgated and `credgate support`, black-box, with an
# independent Python client (varlink_test.py).  Prints TAP.  Every agent
# the test starts is killed on exit, whatever happens.
set -u
here=$(cd "$(dirname "$0")" && pwd)
VARLINK_TEST_PIDS=$(mktemp)
export VARLINK_TEST_PIDS
cleanup() {
	while read -r pid; do
		kill "$pid" 2>/dev/null
	done <"$VARLINK_TEST_PIDS"
	rm -f "$VARLINK_TEST_PIDS"
}
trap cleanup EXIT INT TERM
if ! command -v python3 >/dev/null; then
	echo "1..0 # SKIP python3 not installed"
	exit 0
fi
python3 "$here/varlink_test.py"
