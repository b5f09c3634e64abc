#!/usr/bin/env bash
# Regenerates the typed CRD classes in imports/ from ../shared/crds (the pinned upstream CRDs).
# `cdk8s import` takes one spec per call and names its output after the API group, so the CRDs of one
# group are concatenated into one multi-document file first.
set -euo pipefail
cd "$(dirname "$0")/.."
crds=${CRDS_DIR:-../shared/crds}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
join() { for f in "$@"; do echo '---'; cat "$f"; done; }
join "$crds"/cert-manager/crd-{issuers,clusterissuers,certificates}.yaml > "$tmp/cert-manager.yaml"
join "$crds"/spire-controller-manager/spire.spiffe.io_cluster{spiffeids,federatedtrustdomains,staticentries}.yaml > "$tmp/spire.yaml"
rm -rf imports && mkdir imports
for spec in "$tmp/cert-manager.yaml" "$tmp/spire.yaml" \
  "$crds/k8s-workload-registrar/spiffeid.spiffe.io_spiffeids.yaml" \
  "$crds/istio/1.30.3/crd-all.gen.yaml"; do
  npx cdk8s import "$spec" --language typescript --output imports >/dev/null
done
ls imports
