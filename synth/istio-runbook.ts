/** RUNBOOK.md: commands that show the mesh working across clusters, generated for one environment. */
import type { TrustRelations } from '../clusters/federation';
import type { Topology } from '../clusters/model';
import { federatedTrustDomains } from '../clusters/model';
import {
  EASTWEST_GATEWAY, INJECTION_TEMPLATES_ANNOTATION, ISTIO_SYSTEM_NAMESPACE, SPIRE_INJECTION_TEMPLATES,
} from '../constructs/istio-model';
import { discoveryPairs, remoteSecretName } from '../constructs/istio-remote-secret';
import { CA_ISSUER, CA_NAMESPACE } from '../constructs/cert-manager-ca';
import { NESTED } from '../constructs/nested-spire';
import { PATHS, SPIRE_AGENT, SPIRE_SERVER, SPIRE_SERVER_NAMESPACE, SPIRE_SYSTEM_NAMESPACE } from '../constructs/names';
import { PREREQUISITES } from '../constructs/versions';
import { CHART_FILES } from './cluster-manifests';
import { CLIENT_SIDE_FILES } from './istio-charts';
import { helloworldVersionsFor, SAMPLES_CHART_FILES } from './samples-chart';

/** What the runbook needs to know of one synthesized cluster. */
export interface RunbookCluster {
  readonly name: string;
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

/** The install commands of one cluster: prerequisites, then every file in order with the waits between. */
export function installCommands(cluster: RunbookCluster): string[] {
  const c = cluster.name;
  const cm = PREREQUISITES.certManager;
  const crds = PREREQUISITES.spireCrds;
  const lines = [
    `helm --kube-context=${c} upgrade --install cert-manager ${cm.chart} --repo ${cm.repo} --version ${cm.version} -n cert-manager --create-namespace --set crds.enabled=true --wait`,
    `helm --kube-context=${c} upgrade --install spire-crds ${crds.chart} --repo ${crds.repo} --version ${crds.version} -n ${SPIRE_SERVER_NAMESPACE} --create-namespace --wait`,
  ];
  for (const file of cluster.files) {
    const id = file.replace(/\.yaml$/, '');
    lines.push(CLIENT_SIDE_FILES.has(file) ? `istioctl install ${ctx(c)} -y -f ${c}/${file}` : `kubectl ${ctx(c)} apply -f ${c}/${file}`);
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

export function istioRunbook(topology: Topology, relations: TrustRelations, clusters: readonly RunbookCluster[]): string {
  const [first, second] = topology.clusters;
  const lines: string[] = [];
  lines.push(`# Verifying the ${topology.environment} mesh (mesh ID ${topology.meshId})`, '');
  lines.push('Kube contexts are assumed to be named after the clusters. helloworld v1 runs in the first cluster,',
    'v2 in the second, sleep in every cluster; their namespaces carry `istio-injection: enabled` and the pods',
    `\`${INJECTION_TEMPLATES_ANNOTATION}: "${SPIRE_INJECTION_TEMPLATES}"\`.`, '');
  if (!topology.samples) {
    lines.push(`This topology sets \`samples: false\`, so no ${SAMPLES_CHART_FILES.samples}.yaml is written: deploy those workloads yourself first.`, '');
  }
  lines.push('## 1. Install order per cluster', '',
    'cert-manager and the SPIRE CRDs first, then every file in order, waiting where shown. Do what NOTES.md lists for the cluster too.', '');
  for (const c of clusters) lines.push(`### ${c.name}`, '', '```sh', ...installCommands(c), '```', '');
  lines.push('## 2. Remote secrets (endpoint discovery)', '');
  const pairs = discoveryPairs(topology, relations);
  for (const p of pairs) {
    lines.push(`- ${p.cluster} discovers ${p.peer}: \`istioctl create-remote-secret ${ctx(p.peer)} --name=${p.peer} --service-account=meshfed-istio-reader --create-service-account=false | kubectl apply ${ctx(p.cluster)} -f -\` (creates ${remoteSecretName(p.peer)})`);
  }
  lines.push('', '## 3. Cross-cluster responses', '');
  for (const c of topology.clusters) {
    // Endpoints come from this cluster and the peers it discovers (and can authenticate).
    const reach = [c, ...topology.clusters.filter((p) => relations.authenticates(c.name, p.name) && p.name !== c.name)];
    const versions = reach.flatMap((p) => helloworldVersionsFor(topology, p)).sort();
    lines.push('```sh', `for i in $(seq 10); do kubectl ${ctx(c.name)} -n sleep exec deploy/sleep -c sleep -- curl -sS helloworld.helloworld:5000/hello; done`, '```',
      versions.length > 0
        ? `Expect answers from ${versions.map((v) => `helloworld-${v}`).join(' and ')} when run in ${c.name}.`
        : `No helloworld version runs where ${c.name} can reach it.`, '');
  }
  if (first && second && relations.authenticates(first.name, second.name)) {
    lines.push('## 4. Endpoints through the east-west gateway', '', '```sh',
      `istioctl ${ctx(first.name)} proxy-config endpoint deploy/sleep.sleep | grep helloworld`, '```',
      `The v2 endpoint shows as the east-west gateway address of ${second.name} on port 15443.`, '');
    lines.push('## 5. Failover', '', '```sh',
      `kubectl ${ctx(first.name)} -n helloworld scale deploy/helloworld-v1 --replicas=0`,
      `kubectl ${ctx(first.name)} -n helloworld delete service helloworld`,
      `kubectl ${ctx(first.name)} -n sleep exec deploy/sleep -c sleep -- curl -sS helloworld.helloworld:5000/hello`, '```',
      `Still answered (by v2 in ${second.name}): DNS capture resolves the name from remote Services.`, '');
  }
  lines.push('## 6. SPIFFE identity in the proxy certificate', '');
  for (const c of topology.clusters) {
    lines.push('```sh', `istioctl ${ctx(c.name)} proxy-config secret deploy/sleep.sleep -o json | jq -r '.dynamicActiveSecrets[] | select(.name=="default") | .secret.tlsCertificate.certificateChain.inlineBytes' | base64 -d | openssl x509 -noout -ext subjectAltName`, '```',
      `Expect URI:spiffe://${c.trustDomain}/ns/sleep/sa/sleep.`, '');
  }
  lines.push('## 7. SPIRE entries federating with the peers', '');
  for (const c of topology.clusters) {
    const peers = clusters.find((x) => x.name === c.name)?.federatesWith ?? [];
    const pending = federatedTrustDomains(topology, c.name).filter((td) => !peers.includes(td));
    lines.push('```sh', `kubectl ${ctx(c.name)} -n spire-server exec spire-server-0 -c spire-server -- /opt/spire/bin/spire-server entry show -socketPath ${PATHS.serverSocket} -spiffeID spiffe://${c.trustDomain}/ns/sleep/sa/sleep`, '```',
      `Expect FederatesWith: ${peers.length > 0 ? peers.join(', ') : '(none)'}.`
        + (pending.length > 0 ? ` ${pending.join(', ')} will join once its bundle endpoint address and root CA are in the topology (see NOTES.md).` : ''), '');
  }
  const single = topology.clusters.filter((c) => c.spire.datastore === 'sqlite' && c.spire.replicas === 1);
  if (single.length > 0) {
    // A dead node keeps the only server's pod Terminating with its volume attached until someone acts.
    lines.push('## 8. When the node of a single sqlite SPIRE server dies', '',
      `Applies to ${single.map((c) => c.name).join(', ')}. Once the node is known to be down (agents serve cached SVIDs only until they expire):`, '', '```sh');
    for (const c of single) {
      lines.push(`kubectl ${ctx(c.name)} taint node <node> node.kubernetes.io/out-of-service=nodeshutdown:NoExecute   # or: kubectl ${ctx(c.name)} -n ${SPIRE_SERVER_NAMESPACE} delete pod ${SPIRE_SERVER}-0 --grace-period=0 --force`);
    }
    lines.push('```', 'Remove the taint when the node is back. Staging and production: spire.datastore postgres or mysql with spire.replicas 2 or more.', '');
  }
  return `${lines.join('\n')}\n`;
}
