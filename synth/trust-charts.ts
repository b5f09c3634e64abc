/**
 * Trust between SPIRE servers for one cluster: federation with other trust domains (bundle endpoint,
 * ClusterFederatedTrustDomains or legacy federates_with + bootstrap bundles) and nested SPIRE
 * (parent and child sides). Whatever synth cannot know yet becomes a SynthNote naming the missing
 * topology key and the commands that remain.
 */
import { ApiObject, type Chart } from 'cdk8s';
import { bundleEndpointExposure, serverEndpointExposure } from '../clusters/exposure';
import { exposesBundleEndpoint, federationPeers, upstreamServerOf, type FederationPeer } from '../clusters/federation';
import { clusterIndex, findCluster, nestedChildren, type ClusterSpec, type Topology } from '../clusters/model';
import {
  BUNDLE_ENDPOINT_PORT, BUNDLE_ENDPOINT_SERVICE, BUNDLE_REFRESH_HINT_SECONDS, BundleEndpointService, FEDERATION_BOOTSTRAP_CONFIGMAP,
  FederatedTrustDomain, FederationBootstrapBundles, NESTED, NestedSpireChild, NestedSpireParent, nestedParentServerProps, PATHS,
  SPIRE_SERVER, SPIRE_SERVER_NAMESPACE, SPIRE_SYSTEM_NAMESPACE, type ServerFederationConfig, type SpireServer, type SpireServerProps,
} from '../constructs';
import { PROVIDER_KUBELET_ACCESS } from '../constructs/platform-facts';
import type { SynthNote } from './cluster-manifests';
import { applyExposure } from './load-balancer-exposure';

export const TRUST_CHART_FILES = {
  spireUpstream: '15-spire-upstream',
  nestedSpire: '25-nested-spire',
  federation: '35-federation',
} as const;

const SERVER_BIN = '/opt/spire/bin/spire-server';
const exec = (context: string, stdin = false) =>
  `kubectl --context ${context} -n ${SPIRE_SERVER_NAMESPACE} exec${stdin ? ' -i' : ''} ${SPIRE_SERVER}-0 -c ${SPIRE_SERVER} -- ${SERVER_BIN}`;
const SOCKET = `-socketPath ${PATHS.serverSocket}`;

/** Peers whose bundle endpoint URL is known; only these get a relationship. */
const reachable = (peers: readonly FederationPeer[]) => peers.filter((p) => p.bundleEndpointUrl !== undefined);

/** server.conf additions (federation block, nested children) that must be known before the server is built. */
export function serverTrustProps(topology: Topology, cluster: ClusterSpec): Pick<SpireServerProps, 'federation' | 'additionalPsatClusters' | 'additionalBundleTargets'> {
  const peers = reachable(federationPeers(topology, cluster.name));
  const federation: ServerFederationConfig = {
    ...(exposesBundleEndpoint(topology, cluster) ? { bundleEndpoint: { port: BUNDLE_ENDPOINT_PORT, refreshHint: `${BUNDLE_REFRESH_HINT_SECONDS}s` } } : {}),
    // The controller manager manages relationships through ClusterFederatedTrustDomain instead.
    ...(cluster.registrar.kind === 'k8s-workload-registrar' && peers.length > 0
      ? { federatesWith: peers.map((p) => ({ trustDomain: p.trustDomain, url: p.bundleEndpointUrl!, endpointSpiffeId: p.endpointSpiffeId })) }
      : {}),
  };
  const children = nestedChildren(topology, cluster.name);
  return {
    ...(federation.bundleEndpoint || federation.federatesWith ? { federation } : {}),
    ...(children.length > 0 ? nestedParentServerProps(children.map((c) => ({ clusterName: c.name }))) : {}),
  };
}

/** Child side of nesting, built before the server (it supplies the server's UpstreamAuthority). */
export function addNestedChild(topology: Topology, cluster: ClusterSpec, chart: (id: string) => Chart, notes: SynthNote[]): NestedSpireChild | undefined {
  const parent = upstreamServerOf(topology, cluster);
  if (parent === undefined) return undefined;
  const parentIndex = clusterIndex(topology, parent.name);
  const spire = cluster.spire;
  const child = new NestedSpireChild(chart(TRUST_CHART_FILES.spireUpstream), 'Upstream', {
    trustDomain: cluster.trustDomain,
    clusterName: cluster.name,
    ...(parent.serverEndpoint?.address !== undefined ? { parentAddress: parent.serverEndpoint.address } : {}),
    parentPort: parent.serverEndpoint?.port ?? 8081,
    agent: {
      logLevel: spire.logLevel,
      syncInterval: spire.agent.syncInterval,
      rebootstrapMode: spire.agent.rebootstrapMode,
      rebootstrapDelay: spire.agent.rebootstrapDelay,
      ...(spire.agent.resources ? { resources: spire.agent.resources } : {}),
      kubelet: PROVIDER_KUBELET_ACCESS[cluster.provider],
    },
  });
  const note = (text: string) => notes.push({ cluster: cluster.name, text });
  if (parent.serverEndpoint?.address === undefined) {
    note(
      `nested SPIRE: the address of ${parent.name}'s SPIRE server is not in the topology (clusters[${parentIndex}].serverEndpoint.address), ` +
      `so ${NESTED.upstreamAgent} and the server's UpstreamAuthority dial the selectorless Service ${SPIRE_SYSTEM_NAMESPACE}/${NESTED.upstreamServerService}. ` +
      `Either set that key and re-synth, or give the Service an endpoint: once \`kubectl --context ${parent.kubeContext} -n ${SPIRE_SERVER_NAMESPACE} get svc ${NESTED.parentServerService}\` shows an external IP, ` +
      `apply an EndpointSlice in ${cluster.name}: \`kubectl --context ${cluster.kubeContext} apply -f -\` with kind EndpointSlice, name ${NESTED.upstreamServerService}-1, namespace ${SPIRE_SYSTEM_NAMESPACE}, ` +
      `label kubernetes.io/service-name: ${NESTED.upstreamServerService}, addressType IPv4, ports [{name: grpc, port: ${child.parentPort}}], endpoints [{addresses: [<that IP>]}].`,
    );
  }
  note(
    `nested SPIRE startup order (each waits by itself, no restarts needed): ${NESTED.upstreamAgent} pods stay in ContainerCreating until ${parent.name}'s server has written ` +
    `key bundle.crt of ConfigMap ${SPIRE_SYSTEM_NAMESPACE}/${NESTED.upstreamBundleConfigMap} (it needs the kubeconfig Secret described in ${parent.name}'s notes); ` +
    `the spire-server pod's init container wait-for-upstream-svid retries (with backoff) until the upstream agent has attested to ${parent.name} and holds this server's downstream entry; ` +
    `spire-agent pods then wait in ContainerCreating for ${SPIRE_SYSTEM_NAMESPACE}/spire-bundle (bundle.crt), which this server publishes once its CA is signed. ` +
    `Agents re-attest on their own after an outage (rebootstrap_mode ${spire.agent.rebootstrapMode}, delay ${spire.agent.rebootstrapDelay}).`,
  );
  return child;
}

export interface TrustChartsInput {
  readonly topology: Topology;
  readonly cluster: ClusterSpec;
  readonly server: SpireServer;
  readonly child: NestedSpireChild | undefined;
  readonly chart: (id: string) => Chart;
  readonly notes: SynthNote[];
}

/** Adds the federation and nesting objects after the server; returns the trust domains workloads federate with. */
export function addTrustCharts(input: TrustChartsInput): { federatesWith: string[] } {
  const { topology, cluster, server, child, notes } = input;
  const charts = new Map<string, Chart>();
  const chart = (id: string): Chart => {
    if (!charts.has(id)) charts.set(id, input.chart(id));
    return charts.get(id)!;
  };
  const note = (text: string) => notes.push({ cluster: cluster.name, text });
  const index = clusterIndex(topology, cluster.name);
  child?.attachServer(server);

  // Parent side of nesting.
  const children = nestedChildren(topology, cluster.name);
  if (children.length > 0) {
    const parent = new NestedSpireParent(chart(TRUST_CHART_FILES.nestedSpire), 'Nested', {
      server,
      children: children.map((c) => ({ clusterName: c.name })),
      staticEntries: cluster.registrar.kind === 'controller-manager',
      servicePort: cluster.serverEndpoint?.port ?? 8081,
      serviceType: cluster.serverEndpoint?.serviceType ?? 'LoadBalancer',
      ...(cluster.serverEndpoint ? { serviceAnnotations: cluster.serverEndpoint.annotations } : {}),
    });
    const parentService = parent.node.findChild('Service') as ApiObject;
    applyExposure(cluster, {
      service: parentService, serviceType: cluster.serverEndpoint?.serviceType ?? 'LoadBalancer',
      keyPath: `clusters[${index}].serverEndpoint`, what: `Service ${SPIRE_SERVER_NAMESPACE}/${NESTED.parentServerService} (the SPIRE server API for nested children)`,
    }, serverEndpointExposure(topology, cluster), notes);
    const names = children.map((c) => c.name);
    notes.push({
      cluster: cluster.name,
      createsSecret: `${SPIRE_SERVER_NAMESPACE}/${NESTED.kubeconfigSecret}`,
      text: `nested SPIRE: create Secret ${SPIRE_SERVER_NAMESPACE}/${NESTED.kubeconfigSecret} with one key per child (${names.join(', ')}), each a kubeconfig for that cluster's API server ` +
      `authenticating as service account ${SPIRE_SYSTEM_NAMESPACE}/${NESTED.parentAccess} (token in Secret ${SPIRE_SYSTEM_NAMESPACE}/${NESTED.parentAccess}-token of that cluster). ` +
      `The spire-server pods wait in ContainerCreating until it exists. For example, per child: ` +
      children.map(({ name: n, kubeContext }) => `\`kubectl --context ${kubeContext} -n ${SPIRE_SYSTEM_NAMESPACE} get secret ${NESTED.parentAccess}-token -o jsonpath='{.data.token}' | base64 -d > ${n}.token\`, then write ${n}.kubeconfig (server URL and CA of ${n}, user token from ${n}.token)`).join('; ') +
      `; then \`kubectl --context ${cluster.kubeContext} -n ${SPIRE_SERVER_NAMESPACE} create secret generic ${NESTED.kubeconfigSecret} ${names.map((n) => `--from-file=${n}=${n}.kubeconfig`).join(' ')}\`.`,
    });
    if (cluster.registrar.kind === 'k8s-workload-registrar') {
      note(`nested SPIRE: the legacy registrar does not create the downstream registrations; run once (idempotent: an existing entry is reported, not duplicated): ${parent.entryCommands.map((c) => `\`${exec(cluster.name)} ${c} ${SOCKET}\``).join('; ')}.`);
    }
    if (cluster.serverEndpoint?.address === undefined) {
      note(`nested SPIRE: Service ${SPIRE_SERVER_NAMESPACE}/${NESTED.parentServerService} exposes this server to ${names.join(', ')}; set clusters[${index}].serverEndpoint.address to its reserved address so the children's manifests carry it.`);
    }
  }

  // Federation.
  const peers = federationPeers(topology, cluster.name);
  if (exposesBundleEndpoint(topology, cluster)) {
    const ep = cluster.bundleEndpoint;
    const bundleService = new BundleEndpointService(chart(TRUST_CHART_FILES.federation), 'BundleEndpoint', {
      server,
      port: ep?.port ?? BUNDLE_ENDPOINT_PORT,
      serviceType: ep?.serviceType ?? 'LoadBalancer',
      ...(ep ? { annotations: ep.annotations } : {}),
    });
    applyExposure(cluster, {
      service: bundleService.service, serviceType: ep?.serviceType ?? 'LoadBalancer',
      keyPath: `clusters[${index}].bundleEndpoint`, what: `Service ${SPIRE_SERVER_NAMESPACE}/${BUNDLE_ENDPOINT_SERVICE} (the SPIRE bundle endpoint)`,
    }, bundleEndpointExposure(topology, cluster), notes);
    if (ep?.address === undefined) {
      note(
        `federation: peers (${peers.map((p) => p.trustDomain).join(', ')}) cannot reach the bundle endpoint of ${cluster.trustDomain} until clusters[${index}].bundleEndpoint.address is set: ` +
        `reserve a static address for Service ${SPIRE_SERVER_NAMESPACE}/${BUNDLE_ENDPOINT_SERVICE} (or read it from \`kubectl --context ${cluster.kubeContext} -n ${SPIRE_SERVER_NAMESPACE} get svc ${BUNDLE_ENDPOINT_SERVICE}\`), put it in the topology and re-synth.`,
      );
    }
  }
  const federatesWith: string[] = [];
  const bootstrap: FederationPeer[] = [];
  for (const peer of peers) {
    if (peer.bundleEndpointUrl === undefined) {
      note(`federation with ${peer.trustDomain}: nothing rendered because clusters[${peer.rootIndex}].bundleEndpoint.address (${peer.rootCluster}) is not set; workloads of ${cluster.name} do not federate with ${peer.trustDomain} yet.`);
      continue;
    }
    if (cluster.registrar.kind === 'controller-manager') {
      new FederatedTrustDomain(chart(TRUST_CHART_FILES.federation), `Peer-${peer.trustDomain}`, {
        peer: { trustDomain: peer.trustDomain, bundleEndpointUrl: peer.bundleEndpointUrl, endpointSpiffeId: peer.endpointSpiffeId, ...(peer.rootPem ? { rootPem: peer.rootPem } : {}) },
      });
    }
    if (peer.rootPem !== undefined) {
      // SPIRE refuses entries whose federatesWith names a trust domain it has no bundle for, so only
      // peers whose bootstrap bundle is rendered are listed: the bundle is set with the relationship.
      federatesWith.push(peer.trustDomain);
      bootstrap.push(peer);
    } else {
      note(
        `federation with ${peer.trustDomain}: its root CA is not known to meshfed (clusters[${peer.rootIndex}].rootCa.certificateFile of ${peer.rootCluster}), so the relationship has no bootstrap bundle and ` +
        `${peer.trustDomain} is left out of the workloads' federatesWith (SPIRE rejects entries naming a trust domain without a bundle). Supply the root and re-synth (preferred), or bootstrap by hand: ` +
        `\`${exec(findCluster(topology, peer.rootCluster).kubeContext)} bundle show -format spiffe ${SOCKET} > ${peer.trustDomain}.json\` then \`${exec(cluster.kubeContext, true)} bundle set -format spiffe -id spiffe://${peer.trustDomain} ${SOCKET} < ${peer.trustDomain}.json\`.`,
      );
    }
  }
  if (cluster.registrar.kind === 'k8s-workload-registrar' && bootstrap.length > 0) {
    new FederationBootstrapBundles(chart(TRUST_CHART_FILES.federation), 'BootstrapBundles', {
      namespace: server.namespace,
      peers: bootstrap.map((p) => ({ trustDomain: p.trustDomain, bundleEndpointUrl: p.bundleEndpointUrl!, rootPem: p.rootPem! })),
    });
    note(
      `federation (legacy registrar): load the bootstrap bundles once the server runs (idempotent, re-running overwrites the same bundle): ` +
      bootstrap.map((p) => `\`kubectl --context ${cluster.kubeContext} -n ${server.namespace} get configmap ${FEDERATION_BOOTSTRAP_CONFIGMAP} -o jsonpath='{.data.${p.trustDomain.replace(/\./g, '\\.')}\\.json}' | ${exec(cluster.kubeContext, true)} bundle set -format spiffe -id spiffe://${p.trustDomain} ${SOCKET}\``).join('; ') +
      `. Register workloads with federatesWith only after this step.`,
    );
  }
  return { federatesWith };
}
