/**
 * registrar.kind: k8s-workload-registrar -> the legacy registrar (instead of spire-controller-manager
 * and the ClusterSPIFFEID), in the server chart as a sidecar or in its own chart when standalone,
 * plus the notes a user needs: deprecation, prerequisites, federation and bootstrap steps.
 */
import type { Chart } from 'cdk8s';
import { federatedTrustDomains, type ClusterSpec, type Topology } from '../clusters/model';
import { K8sWorkloadRegistrar, RegistrarDeployment, FEDERATES_WITH_ANNOTATION } from '../constructs/registrar/registrar';
import type { SpireServer } from '../constructs/spire/server';
import type { SynthNote } from './cluster-manifests';

export const K8S_WORKLOAD_REGISTRAR_CHART = '25-k8s-workload-registrar';

export interface RegistrarChartInput {
  readonly topology: Topology;
  readonly cluster: ClusterSpec;
  readonly server: SpireServer;
  readonly serverChart: Chart;
  readonly chart: (id: string) => Chart;
  readonly notes: SynthNote[];
}

export function addK8sWorkloadRegistrar(input: RegistrarChartInput): K8sWorkloadRegistrar | undefined {
  const { cluster, topology, server, notes } = input;
  const r = cluster.registrar;
  if (r.kind !== 'k8s-workload-registrar' || r.legacy === undefined) return undefined;
  const legacy = r.legacy;
  const mode = r.mode ?? 'reconcile';
  const standalone = legacy.deployment === 'standalone';
  const scope = standalone ? input.chart(K8S_WORKLOAD_REGISTRAR_CHART) : input.serverChart;
  const peers = federatedTrustDomains(topology, cluster.name);
  const registrar = new K8sWorkloadRegistrar(scope, 'K8sWorkloadRegistrar', {
    server,
    cluster: cluster.name,
    mode,
    deployment: standalone ? RegistrarDeployment.standalone({ replicas: legacy.replicas }) : RegistrarDeployment.sidecar(),
    logLevel: legacy.logLevel,
    ...(mode !== 'webhook' ? { leaderElection: legacy.leaderElection } : {}),
    ...(legacy.podLabel !== undefined ? { podLabel: legacy.podLabel } : {}),
    ...(legacy.podAnnotation !== undefined ? { podAnnotation: legacy.podAnnotation } : {}),
    ...(mode === 'webhook' ? { insecureSkipClientVerification: legacy.insecureSkipClientVerification } : {}),
    acknowledgeInsecureSkipClientVerification: legacy.acknowledgeInsecureSkipClientVerification,
    federatesWith: peers,
    ...(legacy.resources ? { resources: legacy.resources } : {}),
  });
  const note = (text: string) => notes.push({ cluster: cluster.name, text });
  for (const w of registrar.warnings) note(`WARNING k8s-workload-registrar: ${w}`);
  note(`k8s-workload-registrar (${mode} mode, ${legacy.deployment}): workload entries are parented to ${registrar.nodeParentIdPattern}, matched through the k8s_psat cluster "${cluster.name}" the SPIRE server attests agents with. See docs/k8s-workload-registrar.md.`);
  if (peers.length > 0) {
    note(`k8s-workload-registrar: workloads federate with ${peers.join(', ')} only when their pods carry the annotation ${FEDERATES_WITH_ANNOTATION}: "${peers.join(',')}" (the registrar has no cluster-wide setting), and the SPIRE server must federate with those trust domains.`);
  }
  if (mode === 'crd') {
    note('k8s-workload-registrar (crd mode): install the SpiffeID CRD (spiffeids.spiffeid.spiffe.io, from the registrar 1.5.6 release) before applying the manifests.');
  }
  if (mode === 'webhook') {
    note(`k8s-workload-registrar (webhook mode): ${legacy.insecureSkipClientVerification
      ? 'client verification is OFF (acknowledged): anyone reaching the webhook Service can create and delete entries.'
      : 'put the CA of the API server\'s admission client certificate into ConfigMap k8s-workload-registrar-client-ca (key ca.crt) in namespace ' + server.namespace + ', and configure the API server (AdmissionConfiguration) to present that certificate; managed control planes (GKE, EKS) do not allow this, so pods get no entries there (failurePolicy Ignore never blocks them).'}`);
  }
  if (standalone) {
    note(`k8s-workload-registrar (standalone): it authenticates to the server with its own SVID, which must be an admin entry created once by hand, e.g. spire-server entry create -admin -spiffeID spiffe://${cluster.trustDomain}/ns/${server.namespace}/sa/k8s-workload-registrar -parentID <a node alias for cluster ${cluster.name}> -selector k8s:ns:${server.namespace} -selector k8s:sa:k8s-workload-registrar`);
  }
  if (cluster.spire.oidcDiscovery.enabled) {
    note('k8s-workload-registrar: the OIDC discovery provider\'s ClusterSPIFFEID is only read by spire-controller-manager; register its SVID by hand (or with a SpiffeID in crd mode).');
  }
  return registrar;
}
