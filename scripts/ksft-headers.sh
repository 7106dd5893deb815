#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Extract the kselftest harness headers from Debian's linux-source-6.1
# tarball into DIR.  They are used at build time and never committed.
set -euo pipefail
dir=${1:?usage: ksft-headers.sh DIR}
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1 || true)
if [ -z "$tarball" ]; then
	echo "ksft-headers: /usr/src/linux-source-6.1.tar.* not found; run scripts/deps.sh" >&2
	exit 2
fi
top=linux-source-6.1
mkdir -p "$dir"
tar -xf "$tarball" -C "$dir" --strip-components=4 \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/tools/testing/selftests/kselftest.h"
test -s "$dir/kselftest_harness.h"
