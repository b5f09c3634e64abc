/**
 * Nested SPIRE: a child cluster's SPIRE server is a downstream server of its parent's, in the same
 * trust domain (spiffe/spire doc/plugin_server_upstreamauthority_spire.md; helm-charts-hardened
 * "nested" mode). Parent side: k8s_psat attestation of the child's upstream agents through a
 * kubeconfig per child, a BundlePublisher entry writing `spire-bundle-upstream` into the child, the
 * Service children dial, and the downstream registration. Child side: the upstream agent and its own
 * CSI driver, the RBAC the parent's credentials use, and the server's `spire` UpstreamAuthority.
 */
import * as kplus from 'cdk8s-plus-28';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ClusterStaticEntry } from '../../imports/spire.spiffe.io';
import { commonLabels, PATHS, SERVER_API_PORT, SPIRE_BUNDLE_KEY, SPIRE_SERVER, SPIRE_SYSTEM_NAMESPACE } from '../core/names';
import { requireDnsLabel, requireRange, requireTrustDomain } from '../core/props-error';
import { SpiffeCsiDriver } from './csi-driver';
import { SpireAgent, type SpireAgentProps } from './agent';
import { MESHFED_CLASS_NAME } from './controller-manager';
import type { SpireServer } from './server';
import type { BundleTarget, PsatCluster } from './server-config';
import { UpstreamAuthority } from './upstream-authority';
import { IMAGES } from '../core/versions';
import { containerResources, restrictedContainerSecurity } from '../core/workload-defaults';

/** The agent binary in ghcr.io/spiffe/spire-agent (spiffe/spire v1.15.3 Dockerfile, the only executable there). */
export const SPIRE_AGENT_BINARY = '/opt/spire/bin/spire-agent';

/** Names both sides of the nesting agree on. */
export const NESTED = {
  /** ConfigMap in the child's spire-system the parent's BundlePublisher keeps filled (bundle.crt). */
  upstreamBundleConfigMap: 'spire-bundle-upstream',
  upstreamAgent: 'spire-agent-upstream',
  upstreamCsiDriverName: 'upstream.csi.spiffe.io',
  upstreamCsiDriver: 'spiffe-csi-driver-upstream',
  upstreamSocketHostDir: '/run/spire/agent-sockets-upstream',
  /** Where the child server mounts the upstream agent's socket directory (through the upstream CSI driver). */
  upstreamSocketMount: '/run/spire/upstream-agent',
  /** Service account in the child whose token the parent's kubeconfig for that child carries. */
  parentAccess: 'spire-parent-server',
  /** Secret in the parent's server namespace: one key per child cluster name, each a kubeconfig file. */
  kubeconfigSecret: 'spire-nested-kubeconfigs',
  kubeconfigDir: '/run/spire/nested-kubeconfigs',
  /** Service children dial when the parent's address is not in the topology (no selector: endpoints supplied later). */
  upstreamServerService: 'spire-upstream-server',
  /** Service in front of the parent server's API for its children. */
  parentServerService: 'spire-server-nested',
} as const;

export interface NestedChildRef {
  /** The child's cluster name (its k8s_psat cluster name and the kubeconfig Secret key). */
  readonly clusterName: string;
}

/** The server.conf additions of a parent: one k8s_psat cluster and one BundlePublisher target per child. */
export function nestedParentServerProps(children: readonly NestedChildRef[]): {
  additionalPsatClusters: Record<string, PsatCluster>;
  additionalBundleTargets: Record<string, BundleTarget>;
} {
  const additionalPsatClusters: Record<string, PsatCluster> = {};
  const additionalBundleTargets: Record<string, BundleTarget> = {};
  for (const child of children) {
    requireDnsLabel('NestedSpireParent.children[].clusterName', child.clusterName);
    const kubeconfig = `${NESTED.kubeconfigDir}/${child.clusterName}`;
    additionalPsatClusters[child.clusterName] = {
      serviceAccountAllowList: [`${SPIRE_SYSTEM_NAMESPACE}:${NESTED.upstreamAgent}`],
      kubeConfigFile: kubeconfig,
    };
    additionalBundleTargets[child.clusterName] = {
      namespace: SPIRE_SYSTEM_NAMESPACE,
      configMapName: NESTED.upstreamBundleConfigMap,
      configMapKey: SPIRE_BUNDLE_KEY,
      format: 'pem',
      kubeConfigPath: kubeconfig,
    };
  }
  return { additionalPsatClusters, additionalBundleTargets };
}

/** SPIFFE ID of the node alias grouping a child's upstream agents. */
export function childNodeAlias(trustDomain: string, child: string): string {
  return `spiffe://${trustDomain}/k8s-cluster/${child}`;
}

/** SPIFFE ID of a child's (downstream) SPIRE server. */
export function childServerId(trustDomain: string, child: string): string {
  return `spiffe://${trustDomain}/k8s-cluster/${child}/spire-server`;
}

export interface NestedSpireParentProps {
  readonly server: SpireServer;
  readonly children: readonly NestedChildRef[];
  /** Create the downstream registrations as ClusterStaticEntries (needs spire-controller-manager). @default true */
  readonly staticEntries?: boolean;
  /** @default 8081 */
  readonly servicePort?: number;
  /** @default "LoadBalancer" */
  readonly serviceType?: 'LoadBalancer' | 'NodePort' | 'ClusterIP';
  readonly serviceAnnotations?: Readonly<Record<string, string>>;
  /** A reserved static address the LoadBalancer Service takes (spec.loadBalancerIP). @default - one the cloud picks */
  readonly serviceLoadBalancerIP?: string;
}

/** Parent side of nesting (the k8s_psat / BundlePublisher config comes from nestedParentServerProps). */
export class NestedSpireParent extends Construct {
  /** `spire-server entry create` arguments of the registrations (for the legacy registrar path). */
  readonly entryCommands: string[];

  constructor(scope: Construct, id: string, props: NestedSpireParentProps) {
    super(scope, id);
    const { server } = props;
    const port = props.servicePort ?? SERVER_API_PORT;
    requireRange('NestedSpireParent.servicePort', port, 1, 65535);
    const labels = commonLabels(SPIRE_SERVER);

    // One kubeconfig file per child. Not optional: without it the psat attestor and the publisher
    // for that child cannot work, so the pod waits (ContainerCreating) until the Secret exists.
    const kubeconfigs = kplus.Volume.fromSecret(this, 'Kubeconfigs', kplus.Secret.fromSecretName(this, 'KubeconfigSecret', NESTED.kubeconfigSecret), { name: 'nested-kubeconfigs' });
    server.statefulSet.addVolume(kubeconfigs);
    server.statefulSet.containers[0].mount(NESTED.kubeconfigDir, kubeconfigs, { readOnly: true });

    new k8s.KubeService(this, 'Service', {
      metadata: {
        name: NESTED.parentServerService,
        namespace: server.namespace,
        labels,
        ...(props.serviceAnnotations && Object.keys(props.serviceAnnotations).length > 0 ? { annotations: { ...props.serviceAnnotations } } : {}),
      },
      spec: {
        type: props.serviceType ?? 'LoadBalancer',
        ...(props.serviceLoadBalancerIP !== undefined ? { loadBalancerIp: props.serviceLoadBalancerIP } : {}),
        selector: server.podSelector(),
        ports: [{ name: 'grpc', port, targetPort: k8s.IntOrString.fromNumber(SERVER_API_PORT), protocol: 'TCP' }],
      },
    });

    const td = server.trustDomain;
    this.entryCommands = [];
    for (const child of [...props.children].sort((a, b) => a.clusterName.localeCompare(b.clusterName))) {
      const alias = childNodeAlias(td, child.clusterName);
      const downstream = childServerId(td, child.clusterName);
      const aliasSpec = { parentId: `spiffe://${td}/spire/server`, spiffeId: alias, selectors: [`k8s_psat:cluster:${child.clusterName}`] };
      // The child's server pod, as its upstream agent's k8s workload attestor sees it.
      const serverSpec = { parentId: alias, spiffeId: downstream, selectors: [`k8s:ns:${server.namespace}`, `k8s:sa:${SPIRE_SERVER}`], downstream: true };
      if (props.staticEntries ?? true) {
        new ClusterStaticEntry(this, `${child.clusterName}-nodes`, {
          metadata: { name: `nested-${child.clusterName}-nodes`, labels },
          spec: { className: MESHFED_CLASS_NAME, ...aliasSpec },
        });
        new ClusterStaticEntry(this, `${child.clusterName}-server`, {
          metadata: { name: `nested-${child.clusterName}-server`, labels },
          spec: { className: MESHFED_CLASS_NAME, ...serverSpec },
        });
      }
      this.entryCommands.push(
        `entry create -node -parentID ${aliasSpec.parentId} -spiffeID ${alias} -selector ${aliasSpec.selectors[0]}`,
        `entry create -parentID ${alias} -spiffeID ${downstream} ${serverSpec.selectors.map((s) => `-selector ${s}`).join(' ')} -downstream`,
      );
    }
  }
}

export interface NestedSpireChildProps {
  readonly trustDomain: string;
  readonly clusterName: string;
  /** Parent server address reachable from this cluster; unset means the selectorless `spire-upstream-server` Service. */
  readonly parentAddress?: string;
  /** @default 8081 */
  readonly parentPort?: number;
  /** Settings for the upstream agent (sync interval, rebootstrap, resources, log level). */
  readonly agent?: Pick<SpireAgentProps, 'logLevel' | 'syncInterval' | 'rebootstrapMode' | 'rebootstrapDelay' | 'resources' | 'kubelet'>;
}

/** Child side of nesting: upstream agent + CSI driver, parent access RBAC, the server's UpstreamAuthority. */
export class NestedSpireChild extends Construct {
  readonly upstreamAuthority: UpstreamAuthority;
  readonly upstreamAgent: SpireAgent;
  readonly upstreamCsiDriver: SpiffeCsiDriver;
  /** Address the upstream agent and the server's UpstreamAuthority dial. */
  readonly parentAddress: string;
  readonly parentPort: number;

  constructor(scope: Construct, id: string, props: NestedSpireChildProps) {
    super(scope, id);
    requireTrustDomain('NestedSpireChild.trustDomain', props.trustDomain);
    const ns = SPIRE_SYSTEM_NAMESPACE;
    const labels = commonLabels(NESTED.upstreamAgent);
    this.parentPort = props.parentPort ?? SERVER_API_PORT;
    requireRange('NestedSpireChild.parentPort', this.parentPort, 1, 65535);

    if (props.parentAddress === undefined) {
      // No selector: the parent's address is supplied later as an EndpointSlice (the CLI prints it),
      // so the agent config never changes and nothing dials a made-up host.
      new k8s.KubeService(this, 'UpstreamServerService', {
        metadata: { name: NESTED.upstreamServerService, namespace: ns, labels },
        spec: { type: 'ClusterIP', ports: [{ name: 'grpc', port: this.parentPort, targetPort: k8s.IntOrString.fromNumber(this.parentPort), protocol: 'TCP' }] },
      });
      this.parentAddress = `${NESTED.upstreamServerService}.${ns}`;
    } else {
      this.parentAddress = props.parentAddress;
    }

    // No data: the parent's BundlePublisher adds bundle.crt. The agent mounts that key only, so its
    // pods wait in ContainerCreating (kubelet retries) instead of crash-looping on an empty bundle.
    const bundle = new kplus.ConfigMap(this, 'UpstreamBundle', { metadata: { name: NESTED.upstreamBundleConfigMap, namespace: ns, labels } });

    // The identity the parent's kubeconfig for this cluster carries: TokenReviews and pod/node reads
    // for k8s_psat, get/patch of exactly the upstream bundle ConfigMap for the BundlePublisher.
    const sa = new kplus.ServiceAccount(this, 'ParentAccess', { metadata: { name: NESTED.parentAccess, namespace: ns, labels }, automountToken: false });
    new k8s.KubeSecret(this, 'ParentAccessToken', {
      metadata: { name: `${NESTED.parentAccess}-token`, namespace: ns, labels, annotations: { 'kubernetes.io/service-account.name': NESTED.parentAccess } },
      type: 'kubernetes.io/service-account-token',
    });
    const clusterRole = new kplus.ClusterRole(this, 'ParentAccessClusterRole', { metadata: { name: `${NESTED.parentAccess}-${ns}`, labels } });
    clusterRole.allow(['create'], kplus.ApiResource.TOKEN_REVIEWS);
    clusterRole.allow(['get'], kplus.ApiResource.PODS, kplus.ApiResource.NODES);
    new kplus.ClusterRoleBinding(this, 'ParentAccessClusterRoleBinding', { metadata: { name: `${NESTED.parentAccess}-${ns}`, labels }, role: clusterRole }).addSubjects(sa);
    const bundleRole = new kplus.Role(this, 'ParentAccessBundleRole', { metadata: { name: `${NESTED.parentAccess}-bundle`, namespace: ns, labels } });
    bundleRole.allow(['get', 'patch'], bundle);
    new kplus.RoleBinding(this, 'ParentAccessBundleRoleBinding', { metadata: { name: `${NESTED.parentAccess}-bundle`, namespace: ns, labels }, role: bundleRole }).addSubjects(sa);

    this.upstreamAgent = new SpireAgent(this, 'UpstreamAgent', {
      ...props.agent,
      trustDomain: props.trustDomain,
      clusterName: props.clusterName,
      serverAddress: this.parentAddress,
      serverPort: this.parentPort,
      name: NESTED.upstreamAgent,
      bundleConfigMap: NESTED.upstreamBundleConfigMap,
      socketHostDir: NESTED.upstreamSocketHostDir,
    });
    this.upstreamCsiDriver = new SpiffeCsiDriver(this, 'UpstreamCsiDriver', {
      name: NESTED.upstreamCsiDriver,
      driverName: NESTED.upstreamCsiDriverName,
      agentSocketHostDir: NESTED.upstreamSocketHostDir,
    });
    this.upstreamAuthority = UpstreamAuthority.spire({
      serverAddress: this.parentAddress,
      serverPort: this.parentPort,
      workloadApiSocket: `${NESTED.upstreamSocketMount}/${PATHS.agentSocketName}`,
    });
  }

  /**
   * Gives the child's server the upstream agent's socket (upstream CSI driver) and an init container
   * that waits until the upstream agent hands this pod its downstream SVID: until then the server
   * would exit on its first CA preparation and crash-loop; the init container retries with backoff.
   */
  attachServer(server: SpireServer): void {
    const socket = kplus.Volume.fromCsi(this, 'UpstreamSocket', NESTED.upstreamCsiDriverName, { name: 'spire-upstream-agent-socket', readOnly: true });
    server.statefulSet.addVolume(socket);
    server.statefulSet.containers[0].mount(NESTED.upstreamSocketMount, socket, { readOnly: true });
    server.statefulSet.addInitContainer({
      name: 'wait-for-upstream-svid',
      image: IMAGES.spireAgent,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      // The image's ENTRYPOINT is `spire-agent run` (spiffe/spire v1.15.3 Dockerfile): args alone would
      // start an agent with the default config, so the command names the binary and subcommand.
      command: [SPIRE_AGENT_BINARY, 'api', 'fetch', 'x509', '-socketPath', `${NESTED.upstreamSocketMount}/${PATHS.agentSocketName}`, '-timeout', '30s'],
      securityContext: restrictedContainerSecurity(),
      resources: containerResources({ cpuRequest: '10m', memoryRequest: '32Mi', memoryLimit: '64Mi' }),
      volumeMounts: [{ path: NESTED.upstreamSocketMount, volume: socket, readOnly: true }],
    });
  }
}
