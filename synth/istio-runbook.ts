/** RUNBOOK.md: commands that show the mesh working across clusters, generated for one environment. */
import type { Topology } from '../clusters/model';
import { federatedTrustDomains } from '../clusters/model';
import { INJECTION_TEMPLATES_ANNOTATION, SPIRE_INJECTION_TEMPLATES } from '../constructs/istio-model';
import { discoveryPairs, remoteSecretName } from '../constructs/istio-remote-secret';
import { PATHS } from '../constructs/names';
import { SAMPLES_CHART_FILES } from './samples-chart';

export function istioRunbook(topology: Topology): string {
  const [first, second] = topology.clusters;
  const lines: string[] = [];
  const ctx = (c: string) => `--context=${c}`;
  lines.push(`# Verifying the ${topology.environment} mesh (mesh ID ${topology.meshId})`, '');
  lines.push('Kube contexts are assumed to be named after the clusters. helloworld v1 runs in the first cluster,',
    'v2 in the second, sleep in every cluster; their namespaces carry `istio-injection: enabled` and the pods',
    `\`${INJECTION_TEMPLATES_ANNOTATION}: "${SPIRE_INJECTION_TEMPLATES}"\`.`, '');
  if (!topology.samples) {
    lines.push(`This topology sets \`samples: false\`, so no ${SAMPLES_CHART_FILES.samples}.yaml is written: deploy those workloads yourself first.`, '');
  }
  lines.push('## 1. Install order per cluster', '');
  for (const c of topology.clusters) {
    lines.push('```sh', `kubectl ${ctx(c.name)} apply -f ${c.name}/00-namespaces.yaml -f ${c.name}/10-cert-manager-ca.yaml -f ${c.name}/20-spire-server.yaml -f ${c.name}/30-spire-agent.yaml -f ${c.name}/40-workload-identity.yaml`,
      `istioctl install ${ctx(c.name)} -y -f ${c.name}/60-istio-operator.yaml`, `kubectl ${ctx(c.name)} apply -f ${c.name}/65-istio-mesh.yaml`,
      ...(topology.samples ? [`kubectl ${ctx(c.name)} apply -f ${c.name}/${SAMPLES_CHART_FILES.samples}.yaml`] : []), '```', '');
  }
  lines.push('## 2. Remote secrets (endpoint discovery)', '');
  for (const p of discoveryPairs(topology)) {
    lines.push(`- ${p.cluster} discovers ${p.peer}: \`istioctl create-remote-secret ${ctx(p.peer)} --name=${p.peer} --service-account=meshfed-istio-reader --create-service-account=false | kubectl apply ${ctx(p.cluster)} -f -\` (creates ${remoteSecretName(p.peer)})`);
  }
  lines.push('', '## 3. Cross-cluster responses', '');
  for (const c of topology.clusters) {
    lines.push('```sh', `for i in $(seq 10); do kubectl ${ctx(c.name)} -n sleep exec deploy/sleep -c sleep -- curl -sS helloworld.helloworld:5000/hello; done`, '```',
      `Expect answers from both helloworld-v1 and helloworld-v2 when run in ${c.name}.`, '');
  }
  if (first && second) {
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
    const peers = federatedTrustDomains(topology, c.name);
    lines.push('```sh', `kubectl ${ctx(c.name)} -n spire-server exec spire-server-0 -c spire-server -- /opt/spire/bin/spire-server entry show -socketPath ${PATHS.serverSocket} -selector k8s:ns:sleep`, '```',
      `Expect FederatesWith: ${peers.length > 0 ? peers.join(', ') : '(none: this cluster federates with no trust domain)'}.`, '');
  }
  return `${lines.join('\n')}\n`;
}
