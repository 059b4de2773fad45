#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Lint api/openapi.yaml with Redocly CLI (tools/lint, installed by
# tools/install-deps). A missing linter fails the test: it never passes
# without having linted.
# usage: test-openapi-lint.sh LINTDIR SPEC
set -eu
lintdir=$1 spec=$2
redocly=$lintdir/node_modules/.bin/redocly
if [ ! -x "$redocly" ]; then
	echo "FAIL - $redocly missing: run tools/install-deps" >&2
	exit 1
fi
# No telemetry or update check: the tests run without network.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
exec "$redocly" lint --config "$lintdir/redocly.yaml" --format=stylish "$spec"
