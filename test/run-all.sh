#!/usr/bin/env bash
# `npm test`: everything, in the order a fresh machine needs it. Each stage prints its time.
#   1. npm run setup   — Docker engine (+ runtime shim where needed), inotify limits, Chromium
#   2. npm run images  — every image, pulled or built from Go modules and Debian packages
#   3. typecheck, then vitest: unit, integration, end-to-end (real kind clusters, real Chromium)
#   4. kubelab test --all: every lesson and scenario proven on real clusters (two lanes)
set -euo pipefail
cd "$(dirname "$0")/.."
stage() { echo; echo "=== $1 ($(date +%T))"; }
t0=$(date +%s)
stage "setup";        npm run --silent setup
stage "images";       npm run --silent images
stage "typecheck";    npx tsc --noEmit -p .; [ ! -f client/tsconfig.json ] || npx tsc --noEmit -p client
stage "go tests";     (cd host/runc-shim && go test ./...) && (cd images/kubelab-net && go vet ./... && go test ./...)
stage "unit + integration"; npx vitest run --project unit --project integration
stage "end-to-end";   npx vitest run --project e2e --no-file-parallelism
stage "curriculum";   npx kubelab test --all --parallel "${KUBELAB_TEST_LANES:-2}" --json test-results/kubelab-test.json
echo "npm test: all stages passed in $(( $(date +%s) - t0 ))s"
