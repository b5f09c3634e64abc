/**
 * Topology -> constructs for one cluster: one cdk8s Chart per concern, numbered in install order
 * (each becomes one `<NN>-<concern>.yaml` file).
 */
import { App, Chart } from 'cdk8s';
import type { ClusterSpec, Topology } from '../clusters/model';
import {
  CertManagerCa, DataStore, OidcDiscoveryProvider, RootCaSource, SpiffeCsiDriver, SpireAgent, SpireControllerManager, SpireNamespaces,
  SpireServer, WorkloadIdentity,
} from '../constructs';
import { IstiodCa } from '../constructs/istiod-ca';
import { INJECTION_TEMPLATES_ANNOTATION, ISTIO_SYSTEM_NAMESPACE, SPIRE_INJECTION_TEMPLATES } from '../constructs/istio-model';
import { IstioNamespace } from '../constructs/istio-namespace';
import { addIstioCharts, ISTIO_CHART_FILES } from './istio-charts';
import { addNestedChild, addTrustCharts, serverTrustProps, TRUST_CHART_FILES } from './trust-charts';
import { addK8sWorkloadRegistrar, K8S_WORKLOAD_REGISTRAR_CHART } from './k8s-workload-registrar-chart';
import { addSamplesChart, SAMPLES_CHART_FILES } from './samples-chart';

/** Something the user still has to do that synth could not (printed by the CLI, written to NOTES.md). */
export interface SynthNote {
  readonly cluster: string;
  readonly text: string;
}

export interface ClusterManifests {
  readonly cluster: ClusterSpec;
  readonly app: App;
  readonly notes: SynthNote[];
  /** Trust domains the default ClusterSPIFFEID federates with (peers with a bootstrap bundle). */
  readonly federatesWith: readonly string[];
}

/** Chart ids are file names: the number orders `kubectl apply -f <dir>` and the README's install steps. */
export const CHART_FILES = {
  namespaces: '00-namespaces',
  certManagerCa: '10-cert-manager-ca',
  spireServer: '20-spire-server',
  k8sWorkloadRegistrar: K8S_WORKLOAD_REGISTRAR_CHART,
  spireAgent: '30-spire-agent',
  workloadIdentity: '40-workload-identity',
  oidcDiscovery: '50-oidc-discovery',
  ...ISTIO_CHART_FILES,
  ...TRUST_CHART_FILES,
  ...SAMPLES_CHART_FILES,
} as const;

export function buildClusterManifests(topology: Topology, cluster: ClusterSpec): ClusterManifests {
  const app = new App();
  const notes: SynthNote[] = [];
  const chart = (id: string) => new Chart(app, id, { disableResourceNameHashes: false });
  const spire = cluster.spire;

  const namespaces = chart(CHART_FILES.namespaces);
  new SpireNamespaces(namespaces, 'Spire');
  // istio-system exists from the start: the trust domain's CA lives there (see below).
  new IstioNamespace(namespaces, 'Istio', { network: cluster.network });

  // A nested cluster's CA is signed by its parent's server; only roots chain to cert-manager. The
  // trust domain's CA sits in istio-system because istiod's plug-in CA Certificate can only use an Issuer
  // of its own namespace, and a ClusterIssuer would let any namespace's Certificate editors mint CAs
  // under the root.
  const child = addNestedChild(topology, cluster, chart, notes);
  let ca: CertManagerCa | undefined;
  if (!child) {
    const caChart = chart(CHART_FILES.certManagerCa);
    ca = new CertManagerCa(caChart, 'UpstreamCa', {
      trustDomain: cluster.trustDomain,
      namespace: ISTIO_SYSTEM_NAMESPACE,
      ...(cluster.rootCa ? { root: RootCaSource.existingSecret(cluster.rootCa.secretName) } : {}),
    });
    new IstiodCa(caChart, 'IstiodCa', { trustDomain: cluster.trustDomain, clusterName: cluster.name, issuerName: ca.issuer.name });
  } else {
    notes.push({
      cluster: cluster.name,
      text: `istiod CA: this cluster's SPIRE CA is signed by ${cluster.nestedUnder}'s server, which cert-manager cannot reach, so istiod keeps its own self-signed CA; pods here must use the \`spire\` injection template (\`${INJECTION_TEMPLATES_ANNOTATION}: ${SPIRE_INJECTION_TEMPLATES}\`) to hold identities the trust domain ${cluster.trustDomain} verifies.`,
    });
  }
  if (cluster.rootCa && cluster.rootCa.secretCreatedByStack !== true) {
    notes.push({
      cluster: cluster.name,
      text: `root CA: create the kubernetes.io/tls Secret ${ISTIO_SYSTEM_NAMESPACE}/${cluster.rootCa.secretName} from ${cluster.rootCa.certificateFile} and its private key (kept outside meshfed) before the CA Issuer can sign: \`kubectl --context ${cluster.name} -n ${ISTIO_SYSTEM_NAMESPACE} create secret tls ${cluster.rootCa.secretName} --cert=${cluster.rootCa.certificateFile} --key=<key file>\`.`,
    });
  }

  const serverChart = chart(CHART_FILES.spireServer);
  const server = new SpireServer(serverChart, 'Server', {
    trustDomain: cluster.trustDomain,
    clusterName: cluster.name,
    replicas: spire.replicas,
    dataStore: DataStore.fromTopology(spire.datastore, spire.datastoreSecret),
    upstreamAuthority: child?.upstreamAuthority ?? ca!.upstreamAuthority,
    ...serverTrustProps(topology, cluster),
    caSubject: {
      ...(spire.caSubject.country ? { country: spire.caSubject.country } : {}),
      ...(spire.caSubject.organization ? { organization: spire.caSubject.organization } : {}),
    },
    caTtl: spire.caTtl,
    x509SvidTtl: spire.x509SvidTtl,
    jwtSvidTtl: spire.jwtSvidTtl,
    logLevel: spire.logLevel,
    ...(spire.serverResources ? { resources: spire.serverResources } : {}),
  });
  if (cluster.registrar.kind === 'controller-manager') {
    new SpireControllerManager(serverChart, 'ControllerManager', { server, clusterName: cluster.name });
  }
  addK8sWorkloadRegistrar({ topology, cluster, server, serverChart, chart, notes });

  const trust = addTrustCharts({ topology, cluster, server, child, chart, notes });

  const agentChart = chart(CHART_FILES.spireAgent);
  new SpireAgent(agentChart, 'Agent', {
    trustDomain: cluster.trustDomain,
    clusterName: cluster.name,
    serverAddress: server.address,
    logLevel: spire.logLevel,
    syncInterval: spire.agent.syncInterval,
    rebootstrapMode: spire.agent.rebootstrapMode,
    rebootstrapDelay: spire.agent.rebootstrapDelay,
    // Istio reads ROOTCA as the proxy's validation context: it must carry the federated bundles too.
    sds: { defaultBundleName: 'null', defaultAllBundlesName: 'ROOTCA' },
    ...(spire.agent.resources ? { resources: spire.agent.resources } : {}),
  });
  new SpiffeCsiDriver(agentChart, 'CsiDriver');

  if (cluster.registrar.kind === 'controller-manager') {
    new WorkloadIdentity(chart(CHART_FILES.workloadIdentity), 'Workloads', { federatesWith: trust.federatesWith });
  }

  if (spire.oidcDiscovery.enabled) {
    new OidcDiscoveryProvider(chart(CHART_FILES.oidcDiscovery), 'Oidc', {
      trustDomain: cluster.trustDomain,
      domains: [spire.oidcDiscovery.domain ?? `oidc-discovery.${cluster.trustDomain}`],
    });
  }
  addIstioCharts({ topology, cluster, chart, notes });
  addSamplesChart({ topology, cluster, chart });
  return { cluster, app, notes, federatesWith: trust.federatesWith };
}
