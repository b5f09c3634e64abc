// Extracts the openAPIV3Schema of every served version of the CRDs meshfed emits objects for, from
// ../shared/crds, into test/schemas/crd-schemas.json, so `npm test` validates custom resources without
// ../shared (a user's clone has no such folder). Regenerate with `node scripts/extract-crd-schemas.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const crds = process.env.CRDS_DIR ?? '../shared/crds';
const files = [
  'cert-manager/crd-issuers.yaml', 'cert-manager/crd-clusterissuers.yaml', 'cert-manager/crd-certificates.yaml',
  'spire-controller-manager/spire.spiffe.io_clusterspiffeids.yaml',
  'spire-controller-manager/spire.spiffe.io_clusterfederatedtrustdomains.yaml',
  'spire-controller-manager/spire.spiffe.io_clusterstaticentries.yaml',
  'k8s-workload-registrar/spiffeid.spiffe.io_spiffeids.yaml',
  'istio/1.30.3/crd-all.gen.yaml',
  // Schemaless stub (no IstioOperator CRD since 1.24): lets 60-istio-operator.yaml pass; key paths are
  // checked against the 1.30 API by constructs/istio/api-paths.ts instead.
  'istio/1.22.1/crd-operator.yaml',
];
const out = {};
for (const file of files) {
  for (const doc of parseAllDocuments(readFileSync(join(crds, file), 'utf8'))) {
    const crd = doc.toJS();
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      out[`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`] = {
        scope: crd.spec.scope,
        source: file,
        schema: version.schema.openAPIV3Schema,
      };
    }
  }
}
const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync('test/schemas/crd-schemas.json', `${JSON.stringify(sorted)}\n`);
console.log(`${Object.keys(sorted).length} CRD versions -> test/schemas/crd-schemas.json`);
