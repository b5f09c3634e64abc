/**
 * RUNBOOK.md files: one per cluster (that cluster's install steps and its own peers only, run from the
 * cluster's directory) and one for the environment (what the mesh does, the clusters, the order), so no
 * file grows faster than a cluster's own peers.
 */
import type { TrustRelations } from '../clusters/federation';
import { federatedTrustDomains, findCluster, type ClusterSpec, type Topology } from '../clusters/model';
import { sampleVersionsOf } from '../clusters/samples';
import {
  EASTWEST_GATEWAY, INJECTION_TEMPLATES_ANNOTATION, ISTIO_SYSTEM_NAMESPACE, SPIRE_INJECTION_TEMPLATES,
} from '../constructs/istio/model';
import { remoteSecretName } from '../constructs/istio/remote-secret';
import { CA_ISSUER, CA_NAMESPACE } from '../constructs/cert-manager/ca';
import { NESTED } from '../constructs/spire/nested';
import { PATHS, SPIRE_AGENT, SPIRE_SERVER, SPIRE_SERVER_NAMESPACE, SPIRE_SYSTEM_NAMESPACE } from '../constructs/core/names';
import { PREREQUISITES } from '../constructs/core/versions';
import { CHART_FILES } from './cluster-manifests';
import { CLIENT_SIDE_FILES } from './istio-charts';

/** Up to this many clusters synth writes topology.svg (see synthesize.ts withTopologyPicture); defined here, where the environment RUNBOOK names the files. */
export const PICTURE_SVG_MAX_CLUSTERS = 12;
import { SAMPLES_CHART_FILES } from './samples-chart';

/** What the runbook needs to know of one synthesized cluster. */
export interface RunbookCluster {
  readonly name: string;
  /** The kubeconfig context its commands use. @default - the cluster name */
  readonly kubeContext?: string;
  /** The cluster's manifest files, in install order. */
  readonly files: readonly string[];
  /** Trust domains its default ClusterSPIFFEID federates with (only peers with a bootstrap bundle). */
  readonly federatesWith: readonly string[];
  /** Nested children: a parent's server waits for their kubeconfig Secret (NOTES.md), so no rollout wait then. @default - none */
  readonly nestedChildren?: readonly string[];
}

const ctx = (c: string) => `--context=${c}`;

/** Commands that must succeed before the next file is applied, by chart id. */
const WAIT_AFTER: Readonly<Record<string, (cluster: string) => string[]>> = {
  // The CA Issuer is Ready once its root Secret is (generated or created by hand): SPIRE's server needs it.
  [CHART_FILES.certManagerCa]: (c) => [`kubectl ${ctx(c)} -n ${CA_NAMESPACE} wait --for=condition=Ready issuer/${CA_ISSUER} --timeout=2m`],
  [CHART_FILES.spireServer]: (c) => [`kubectl ${ctx(c)} -n ${SPIRE_SERVER_NAMESPACE} rollout status statefulset/${SPIRE_SERVER} --timeout=5m`],
  [CHART_FILES.spireAgent]: (c) => [`kubectl ${ctx(c)} -n ${SPIRE_SYSTEM_NAMESPACE} rollout status daemonset/${SPIRE_AGENT} --timeout=5m`],
  [CHART_FILES.istioOperator]: (c) => [`kubectl ${ctx(c)} -n ${ISTIO_SYSTEM_NAMESPACE} rollout status deployment/${EASTWEST_GATEWAY} --timeout=5m`],
};

/** The install commands of one cluster, run from its directory: prerequisites, then every file in order with the waits between. */
export function installCommands(cluster: RunbookCluster): string[] {
  const c = cluster.kubeContext ?? cluster.name;
  const cm = PREREQUISITES.certManager;
  const crds = PREREQUISITES.spireCrds;
  const lines = [
    `helm --kube-context=${c} upgrade --install cert-manager ${cm.chart} --repo ${cm.repo} --version ${cm.version} -n cert-manager --create-namespace --set crds.enabled=true --wait`,
    `helm --kube-context=${c} upgrade --install spire-crds ${crds.chart} --repo ${crds.repo} --version ${crds.version} -n ${SPIRE_SERVER_NAMESPACE} --create-namespace --wait`,
  ];
  for (const file of cluster.files) {
    const id = file.replace(/\.yaml$/, '');
    lines.push(CLIENT_SIDE_FILES.has(file) ? `istioctl install ${ctx(c)} -y -f ${file}` : `kubectl ${ctx(c)} apply -f ${file}`);
    const waits = WAIT_AFTER[id]?.(c) ?? [];
    const children = cluster.nestedChildren ?? [];
    if (children.length > 0 && (id === CHART_FILES.spireServer || id === CHART_FILES.spireAgent)) {
      // Server and agents wait for the kubeconfig Secret, which needs the children's 15-spire-upstream applied first.
      lines.push(...waits.map((w) => `# later, once Secret ${SPIRE_SERVER_NAMESPACE}/${NESTED.kubeconfigSecret} exists (NOTES.md; needs ${children.join(', ')} installed): ${w}`));
    } else {
      lines.push(...waits);
    }
  }
  return lines;
}

/** Numbers sections in the order they are added, so a section left out leaves no gap. */
function sections(lines: string[]): (title: string) => void {
  let n = 0;
  return (title) => {
    n += 1;
    lines.push(`## ${n}. ${title}`, '');
  };
}

/** The RUNBOOK.md of one cluster: its install steps and checks, and its own peers only. */
export function clusterRunbook(topology: Topology, relations: TrustRelations, runbook: RunbookCluster): string {
  const c = findCluster(topology, runbook.name);
  const discovered = relations.discoveredBy(c.name);
  const lines: string[] = [];
  const section = sections(lines);
  const versionsOf = (x: ClusterSpec) => sampleVersionsOf(topology, x.name);
  lines.push(`# ${c.name} in the ${topology.environment} mesh (mesh ID ${topology.meshId})`, '');
  lines.push(`Run every command from this directory (\`${c.name}/\` of the synth output, e.g. \`dist/${topology.environment}/${c.name}\`): file paths are relative to it.`,
    c.kubeContext === c.name
      ? `Commands use the kube context \`${c.name}\` (kube contexts are assumed to be named after the clusters). The environment's overview is \`../RUNBOOK.md\`.`
      : `Commands use the kube context \`${c.kubeContext}\` (the topology's kubeContext of ${c.name}). The environment's overview is \`../RUNBOOK.md\`.`, '');
  if (topology.samples) {
    const own = versionsOf(c);
    lines.push(`Samples: sleep runs here${own.length > 0 ? ` with helloworld-${own.join(', ')}` : ' with the helloworld Service only (no helloworld version)'}; their namespaces carry \`istio-injection: enabled\` and the pods`,
      `\`${INJECTION_TEMPLATES_ANNOTATION}: "${SPIRE_INJECTION_TEMPLATES}"\`.`, '');
  } else {
    lines.push(`This topology sets \`samples: false\`, so no ${SAMPLES_CHART_FILES.samples}.yaml is written: deploy helloworld and sleep yourself before the checks below.`, '');
  }
  section('Install');
  lines.push('cert-manager and the SPIRE CRDs first, then every file in order, waiting where shown. Do what NOTES.md lists too.', '',
    '```sh', ...installCommands({ ...runbook, kubeContext: c.kubeContext }), '```', '');
  if (discovered.length > 0) {
    section('Remote secrets (endpoint discovery)');
    lines.push(`istiod of ${c.name} discovers the endpoints of these clusters (each must be installed first):`, '');
    for (const p of discovered) {
      lines.push(`- ${p.name}: \`istioctl create-remote-secret ${ctx(p.kubeContext)} --name=${p.name} --service-account=meshfed-istio-reader --create-service-account=false | kubectl apply ${ctx(c.kubeContext)} -f -\` (creates ${remoteSecretName(p.name)})`);
    }
    lines.push('');
  }
  // Endpoints come from this cluster and the peers it discovers (and can authenticate).
  const remote = discovered.flatMap((p) => versionsOf(p).map((v) => ({ version: v, cluster: p.name })));
  const versions = [...versionsOf(c), ...remote.map((r) => r.version)].sort();
  section('Responses from helloworld');
  lines.push('```sh', `for i in $(seq 10); do kubectl ${ctx(c.kubeContext)} -n sleep exec deploy/sleep -c sleep -- curl -sS helloworld.helloworld:5000/hello; done`, '```',
    versions.length > 0
      ? `Expect answers from ${versions.map((v) => `helloworld-${v}`).join(' and ')} when run in ${c.name}.`
      : `No helloworld version runs where ${c.name} can reach it.`, '');
  const [own] = versionsOf(c);
  const [other] = remote;
  if (own !== undefined && other !== undefined) {
    section('Endpoints through the east-west gateway');
    lines.push('```sh', `istioctl ${ctx(c.kubeContext)} proxy-config endpoint deploy/sleep.sleep | grep helloworld`, '```',
      `The ${other.version} endpoint shows as the east-west gateway address of ${other.cluster} on port 15443.`, '');
    section('Failover');
    lines.push('```sh',
      `kubectl ${ctx(c.kubeContext)} -n helloworld scale deploy/helloworld-${own} --replicas=0`,
      `kubectl ${ctx(c.kubeContext)} -n helloworld delete service helloworld`,
      `kubectl ${ctx(c.kubeContext)} -n sleep exec deploy/sleep -c sleep -- curl -sS helloworld.helloworld:5000/hello`, '```',
      `Still answered (by ${other.version} in ${other.cluster}): DNS capture resolves the name from remote Services.`, '');
  }
  section('SPIFFE identity in the proxy certificate');
  lines.push('```sh', `istioctl ${ctx(c.kubeContext)} proxy-config secret deploy/sleep.sleep -o json | jq -r '.dynamicActiveSecrets[] | select(.name=="default") | .secret.tlsCertificate.certificateChain.inlineBytes' | base64 -d | openssl x509 -noout -ext subjectAltName`, '```',
    `Expect URI:spiffe://${c.trustDomain}/ns/sleep/sa/sleep.`, '');
  section('SPIRE entries federating with the peers');
  const peers = runbook.federatesWith;
  const pending = federatedTrustDomains(topology, c.name).filter((td) => !peers.includes(td));
  lines.push('```sh', `kubectl ${ctx(c.kubeContext)} -n spire-server exec spire-server-0 -c spire-server -- /opt/spire/bin/spire-server entry show -socketPath ${PATHS.serverSocket} -spiffeID spiffe://${c.trustDomain}/ns/sleep/sa/sleep`, '```',
    `Expect FederatesWith: ${peers.length > 0 ? peers.join(', ') : '(none)'}.`
      + (pending.length > 0 ? ` ${pending.join(', ')} will join once its bundle endpoint address and root CA are in the topology (see NOTES.md).` : ''), '');
  if (c.spire.datastore === 'sqlite' && c.spire.replicas === 1) {
    // A dead node keeps the only server's pod Terminating with its volume attached until someone acts.
    section('When the node of the single sqlite SPIRE server dies');
    lines.push('Once the node is known to be down (agents serve cached SVIDs only until they expire):', '', '```sh',
      `kubectl ${ctx(c.kubeContext)} taint node <node> node.kubernetes.io/out-of-service=nodeshutdown:NoExecute   # or: kubectl ${ctx(c.kubeContext)} -n ${SPIRE_SERVER_NAMESPACE} delete pod ${SPIRE_SERVER}-0 --grace-period=0 --force`,
      '```', 'Remove the taint when the node is back. Staging and production: spire.datastore postgres or mysql with spire.replicas 2 or more.', '');
  }
  return `${lines.join('\n')}\n`;
}

/** The environment's RUNBOOK.md, written once next to the cluster directories: one line per cluster, never per pair. */
export function environmentRunbook(topology: Topology, relations: TrustRelations): string {
  const lines: string[] = [];
  const section = sections(lines);
  const count = topology.clusters.length;
  lines.push(`# The ${topology.environment} mesh (mesh ID ${topology.meshId})`, '');
  lines.push('Written by meshfed synth for the whole environment. Each cluster directory holds its own RUNBOOK.md (run its commands',
    `from that directory) and NOTES.md (steps synth could not do). ${count <= PICTURE_SVG_MAX_CLUSTERS ? '`topology.svg` and `topology.mmd` (Mermaid) picture' : '`topology.mmd` (Mermaid source; no SVG is laid out above ' + PICTURE_SVG_MAX_CLUSTERS + ' clusters) pictures'} the mesh.`, '');
  section('Clusters');
  for (const c of topology.clusters) {
    const role = c.nestedUnder !== undefined ? `nested under ${c.nestedUnder}` : 'root';
    const n = relations.discoveredBy(c.name).length;
    const discovers = count > 1 ? `; discovers the endpoints of ${n} other cluster${n === 1 ? '' : 's'}` : '';
    lines.push(`- ${c.name} (${c.provider} ${c.region}): trust domain ${c.trustDomain}, ${role}${discovers}. Steps: \`${c.name}/RUNBOOK.md\`.`);
  }
  lines.push('');
  section('What this environment does');
  const pairs = relations.discoveryPairs.length;
  if (count === 1) {
    lines.push('One cluster: SPIRE issues the workload identities and Istio uses them for mTLS inside the cluster. There is no cross-cluster traffic to check.', '');
  } else if (pairs === 0) {
    lines.push('No two clusters trust each other yet: no federation relationship is rendered (it needs the peer\'s bundleEndpoint.address and rootCa in the topology; NOTES.md names the keys),',
      'so istiod discovers no endpoints in other clusters and each cluster answers only from its own workloads. Cross-cluster calls are not expected to work until those keys are set and synth runs again.', '');
  } else {
    const federated = topology.clusters.filter((c) => relations.federatesWith(c.name).length > 0).length;
    lines.push(`${pairs} ordered cluster pairs discover each other's endpoints (each cluster's RUNBOOK.md section "Remote secrets" lists its own); ${federated} of ${count} clusters federate with another trust domain.`,
      'A cluster that discovers no other cluster answers only from its own workloads.', '');
  }
  section('Order');
  lines.push(pairs > 0
    ? 'Install every cluster with section 1 of its RUNBOOK.md, then create the remote secrets each one lists (they read the peer\'s API through its istio reader account).'
    : 'Install every cluster with section 1 of its RUNBOOK.md; there are no remote secrets to create yet.', '');
  return `${lines.join('\n')}\n`;
}
