/**
 * Topology -> constructs for one cluster: one cdk8s Chart per concern, numbered in install order
 * (each becomes one `<NN>-<concern>.yaml` file).
 */
import { App, Chart } from 'cdk8s';
import { clusterIndex, type ClusterSpec, type Topology } from '../clusters/model';
import {
  CA_NAMESPACE, CaNamespace, CertManagerCa, CloudIdentity, CriticalPodsQuota, DataStore, KeyManager, OidcDiscoveryProvider, RootCaSource,
  SpiffeCsiDriver, SpireAgent, SpireControllerManager, SpireNamespaces, SpireServer, WorkloadIdentity,
} from '../constructs';
import { PROVIDER_KUBELET_ACCESS, providerHas } from '../constructs/platform-facts';
import { SPIRE_SERVER, SPIRE_SERVER_NAMESPACE, SPIRE_SYSTEM_NAMESPACE } from '../constructs/core/names';
import { IstioNamespace } from '../constructs/istio/namespace';
import { ISTIO_SYSTEM_NAMESPACE } from '../constructs/istio/model';
import { trustRelations, type TrustRelations } from '../clusters/federation';
import { addIstioCharts, ISTIO_CHART_FILES } from './istio-charts';
import { addNestedChild, addTrustCharts, serverTrustProps, TRUST_CHART_FILES } from './trust-charts';
import { addK8sWorkloadRegistrar, K8S_WORKLOAD_REGISTRAR_CHART } from './k8s-workload-registrar-chart';
import { addSamplesChart, SAMPLES_CHART_FILES } from './samples-chart';
import { needsLbController, POD_READINESS_GATE_INJECT_LABEL, readinessGateNamespaces } from '../clusters/pod-readiness-gates';

/** Something the user still has to do that synth could not (printed by the CLI, written to NOTES.md). */
export interface SynthNote {
  readonly cluster: string;
  readonly text: string;
  /** `namespace/name` of the Secret the note asks the user to create (the Pulumi stack drops notes about Secrets it writes). */
  readonly createsSecret?: string;
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

/** What the datastore choice asks of the operator: the connection Secret, or what to do when the sqlite node dies. */
function datastoreNote(cluster: ClusterSpec): string {
  const spire = cluster.spire;
  if (spire.datastore !== 'sqlite') {
    return `SPIRE datastore (${spire.datastore}): create Secret ${SPIRE_SERVER_NAMESPACE}/${spire.datastoreSecret.name} with key ${spire.datastoreSecret.key} holding the connection string; until it exists the server container cannot start (CreateContainerConfigError) and kubelet keeps retrying.`;
  }
  return `SPIRE datastore (sqlite, one server): if the node running ${SPIRE_SERVER}-0 dies, the pod stays Terminating and its volume stays attached, so no server runs; agents keep serving cached SVIDs only until they expire (x509SvidTtl ${spire.x509SvidTtl}). ` +
    `Once the node is known to be down, taint it \`kubectl --context ${cluster.kubeContext} taint node <node> node.kubernetes.io/out-of-service=nodeshutdown:NoExecute\` (the volume is detached and the pod rescheduled), ` +
    `or force-delete the pod \`kubectl --context ${cluster.kubeContext} -n ${SPIRE_SERVER_NAMESPACE} delete pod ${SPIRE_SERVER}-0 --grace-period=0 --force\`. Staging and production: use spire.datastore postgres or mysql with spire.replicas 2 or more.`;
}

/** Services that only the AWS Load Balancer Controller serves: on a cluster the stack does not create, the user installs it. */
function lbControllerNote(gates: ReturnType<typeof readinessGateNamespaces>): string {
  const labelled = [...(gates.spireServer ? [SPIRE_SERVER_NAMESPACE] : []), ...(gates.istioSystem ? [ISTIO_SYSTEM_NAMESPACE] : [])];
  const [key, value] = Object.entries(POD_READINESS_GATE_INJECT_LABEL)[0];
  return 'AWS Load Balancer Controller: Services of this cluster carry its annotations (service.beta.kubernetes.io/aws-load-balancer-type external or nlb-ip), which the in-tree provider ignores, so they get no load balancer until the controller runs in the cluster. ' +
    'The Pulumi stack installs it on the EKS clusters it creates; on a cluster given to it or applied by hand, install it first (README, "Installing the output by hand").' +
    (labelled.length > 0 ? ` Namespace${labelled.length > 1 ? 's' : ''} ${labelled.join(', ')} carr${labelled.length > 1 ? 'y' : 'ies'} ${key}=${value}: the controller's webhook gives pods created there a readiness gate that holds a rolling update until each new pod is a healthy NLB target.` : '');
}

/** The KeyManager the topology asks for, when the cloud values it needs are known (the Pulumi stack supplies them). */
function keyManagerOf(topology: Topology, cluster: ClusterSpec, notes: SynthNote[]): KeyManager | undefined {
  if (cluster.spire.keyManager === 'disk') return undefined;
  const kms = cluster.serverCloud?.kms;
  if (kms === undefined) {
    const cloud = cluster.provider === 'gke' ? 'a Cloud KMS key ring and a Google service account for spire-server (Workload Identity)' : 'an IAM role for spire-server (IRSA) and the key policy of the keys SPIRE creates';
    notes.push({
      cluster: cluster.name,
      text: `spire.keyManager kms (clusters[${clusterIndex(topology, cluster.name)}].spire.keyManager): the KMS side needs ${cloud}, which the Pulumi stack creates with the cluster (\`pulumi up\`) and renders into server.conf. ` +
        'These files keep KeyManager disk (keys on the server\'s volume); deploy with the stack to move the keys into KMS.',
    });
    return undefined;
  }
  return kms.kind === 'gcp' ? KeyManager.gcpKms({ keyRing: kms.keyRing }) : KeyManager.awsKms({ region: kms.region, keyPolicy: kms.keyPolicy });
}

function cloudIdentityOf(cluster: ClusterSpec): CloudIdentity | undefined {
  const identity = cluster.serverCloud?.identity;
  if (identity === undefined) return undefined;
  return identity.kind === 'gcp-service-account' ? CloudIdentity.gcpServiceAccount(identity.email) : CloudIdentity.awsRole(identity.roleArn);
}

export function buildClusterManifests(topology: Topology, cluster: ClusterSpec, relations: TrustRelations = trustRelations(topology)): ClusterManifests {
  const app = new App();
  const notes: SynthNote[] = [];
  const chart = (id: string) => new Chart(app, id, { disableResourceNameHashes: false });
  const spire = cluster.spire;

  const namespaces = chart(CHART_FILES.namespaces);
  const gates = readinessGateNamespaces(cluster);
  new SpireNamespaces(namespaces, 'Spire', gates.spireServer ? { serverLabels: POD_READINESS_GATE_INJECT_LABEL } : {});
  // Agents and CSI drivers ask for system-node-critical; GKE admits that outside kube-system only with this quota.
  if (providerHas(cluster.provider, 'critical-priority-needs-quota')) {
    new CriticalPodsQuota(namespaces, 'CriticalPods', { namespace: SPIRE_SYSTEM_NAMESPACE });
  }
  new IstioNamespace(namespaces, 'Istio', { network: cluster.network, ...(gates.istioSystem ? { labels: POD_READINESS_GATE_INJECT_LABEL } : {}) });
  if (needsLbController(cluster)) notes.push({ cluster: cluster.name, text: lbControllerNote(gates) });

  // A nested cluster's CA is signed by its parent's server; only roots chain to cert-manager. The root
  // key sits in its own namespace (CaNamespace), out of reach of every workload's Role. istiod gets no
  // plug-in CA: its self-signed root is in no SPIRE bundle, so nothing it signs is trusted by SPIRE-backed
  // peers (docs/istio.md).
  const child = addNestedChild(topology, cluster, chart, notes);
  let ca: CertManagerCa | undefined;
  if (!child) {
    new CaNamespace(namespaces, 'Ca');
    ca = new CertManagerCa(chart(CHART_FILES.certManagerCa), 'UpstreamCa', {
      trustDomain: cluster.trustDomain,
      namespace: CA_NAMESPACE,
      ...(cluster.rootCa ? { root: RootCaSource.existingSecret(cluster.rootCa.secretName) } : {}),
    });
  }
  if (cluster.rootCa && cluster.rootCa.secretCreatedByStack !== true) {
    notes.push({
      cluster: cluster.name,
      text: `root CA: create the kubernetes.io/tls Secret ${CA_NAMESPACE}/${cluster.rootCa.secretName} from ${cluster.rootCa.certificateFile} and its private key (kept outside meshfed) before the CA Issuer can sign: \`kubectl --context ${cluster.kubeContext} -n ${CA_NAMESPACE} create secret tls ${cluster.rootCa.secretName} --cert=${cluster.rootCa.certificateFile} --key=<key file>\`.`,
    });
  }

  const serverChart = chart(CHART_FILES.spireServer);
  const keyManager = keyManagerOf(topology, cluster, notes);
  const cloudIdentity = cloudIdentityOf(cluster);
  const server = new SpireServer(serverChart, 'Server', {
    trustDomain: cluster.trustDomain,
    clusterName: cluster.name,
    replicas: spire.replicas,
    dataStore: DataStore.fromTopology(spire.datastore, spire.datastoreSecret),
    ...(keyManager ? { keyManager } : {}),
    ...(cloudIdentity ? { cloudIdentity } : {}),
    ...(cluster.serverCloud?.storageClassName ? { storageClassName: cluster.serverCloud.storageClassName } : {}),
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
  notes.push({
    cluster: cluster.name,
    text: datastoreNote(cluster),
    ...(cluster.spire.datastore !== 'sqlite' ? { createsSecret: `${SPIRE_SERVER_NAMESPACE}/${cluster.spire.datastoreSecret.name}` } : {}),
  });
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
    kubelet: PROVIDER_KUBELET_ACCESS[cluster.provider],
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
  addIstioCharts({ topology, relations, cluster, chart, notes });
  addSamplesChart({ topology, cluster, chart });
  return { cluster, app, notes, federatesWith: trust.federatesWith };
}
