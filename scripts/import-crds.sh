#!/usr/bin/env bash
# Regenerates the typed CRD classes in imports/ from ../shared/crds (the pinned upstream CRDs):
# `npm run import`, or CRDS_DIR=<dir> scripts/import-crds.sh. Deterministic: same CRDs, same files.
# `cdk8s import` takes one spec per call and names its output after the API group, so the CRDs of one
# group are concatenated into one multi-document file first. --no-save keeps cdk8s.yaml free of the
# temporary spec paths. Only the groups some source imports are kept (the rest would be dead weight).
set -euo pipefail
cd "$(dirname "$0")/.."
crds=${CRDS_DIR:-../shared/crds}
if [ ! -d "$crds" ]; then
  echo "import-crds: no CRD directory at $crds (set CRDS_DIR)" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
join() { for f in "$@"; do echo '---'; cat "$f"; done; }
join "$crds"/cert-manager/crd-{issuers,clusterissuers,certificates}.yaml > "$tmp/cert-manager.yaml"
join "$crds"/spire-controller-manager/spire.spiffe.io_cluster{spiffeids,federatedtrustdomains,staticentries}.yaml > "$tmp/spire.yaml"
mkdir "$tmp/imports"
for spec in "$tmp/cert-manager.yaml" "$tmp/spire.yaml" \
  "$crds/k8s-workload-registrar/spiffeid.spiffe.io_spiffeids.yaml" \
  "$crds/istio/1.30.3/crd-all.gen.yaml"; do
  npx --no-install cdk8s import "$spec" --no-save --no-check-upgrade --language typescript --output "$tmp/imports" >/dev/null
done
# Keep a generated group only if a source outside imports/ imports it ('../imports/<group>').
used=$(grep -rhoE "from '(\.\./)+imports/[a-z0-9.-]+'" bin clusters constructs synth infra stacks index.ts 2>/dev/null \
  | sed -E "s/.*imports\/([a-z0-9.-]+)'/\1/" | sort -u)
rm -rf imports && mkdir imports
for group in $used; do
  if [ ! -f "$tmp/imports/$group.ts" ]; then
    echo "import-crds: sources import imports/$group but no CRD in $crds generates it" >&2
    exit 1
  fi
  cp "$tmp/imports/$group.ts" imports/
done
ls imports
