/**
 * The node security group's mesh rules for one EKS cluster, as one pure function of the topology
 * (property-tested). Every rule names one port and one source; no rule opens a mesh port to
 * 0.0.0.0/0. Sources:
 *  - an EKS peer: its VPC range (reached over VPC peering);
 *  - a peer in another cloud: its NAT egress addresses (reserved, so known before its nodes exist),
 *    given by `egressOf` - generic in the address type so the stack can pass Pulumi Outputs and tests
 *    plain strings without this module importing Pulumi;
 *  - the cluster's own VPC range for the load balancers' health checks (NLB nodes live in the VPC);
 *  - the EKS control plane's security group for admission webhooks.
 * Ports are the pods' container ports: the stack exposes the mesh Services through NLBs with IP targets
 * (AWS Load Balancer Controller, `service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip`),
 * so traffic reaches the pod's port, not a NodePort.
 */
import { federatedTrustDomains, findCluster, nestedChildren, type ClusterSpec, type Topology } from '../../clusters/model';
import { BUNDLE_ENDPOINT_PORT } from '../../constructs/spire/federation';
import { EASTWEST_TLS_PORT, GATEWAY_STATUS_PORT } from '../../constructs/istio/model';
import { CONTROLLER_MANAGER_WEBHOOK_PORT, SERVER_API_PORT } from '../../constructs/core/names';
import { LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT } from './load-balancer-controller';

/** istiod's sidecar-injection and validation webhook (container port 15017, istio/istio manifests/charts/istio-control/istio-discovery, 1.30). */
export const ISTIOD_WEBHOOK_PORT = 15017;
/** istiod's xDS and CA gRPC over TLS (15012); listed by the EKS issue with the webhook ports. */
export const ISTIOD_XDS_PORT = 15012;
/**
 * cert-manager's webhook port: the chart's `webhook.securePort` default is 10250 in v1.16.5
 * (cert-manager/cert-manager deploy/charts/cert-manager/values.yaml at tag v1.16.5).
 */
export const CERT_MANAGER_WEBHOOK_PORT = 10250;

export type RulePurpose = 'east-west' | 'gateway-status' | 'bundle-endpoint' | 'server-api' | 'lb-health-check' | 'webhook';

export type RuleSource<A> =
  /** One address range: a peer VPC, a peer cloud's NAT egress address (/32) or the own VPC. */
  | { readonly kind: 'cidr'; readonly cidr: A | string; readonly peer: string }
  /** The EKS control plane's security group. */
  | { readonly kind: 'control-plane' };

export interface IngressRule<A> {
  /** Deterministic, unique within the cluster: "<cluster>-<purpose>-<port>-<source>[-<n>]". */
  readonly name: string;
  readonly purpose: RulePurpose;
  readonly protocol: 'tcp';
  readonly port: number;
  readonly source: RuleSource<A>;
  readonly description: string;
}

export interface MeshRuleOptions<A> {
  /** Egress addresses (CIDRs, usually /32) of a cluster that is not peered with this one (another cloud). */
  readonly egressOf: (peer: ClusterSpec) => readonly A[];
}

/**
 * What the EKS control plane calls on the nodes: admission webhooks (and istiod's xDS/CA port the issue
 * lists with them). Several can share a port (spire-controller-manager and the AWS Load Balancer
 * Controller both serve on 9443); webhookPorts() makes one rule per port, since AWS refuses a
 * duplicate rule.
 */
export const CONTROL_PLANE_CALLS: ReadonlyArray<{ readonly port: number; readonly what: string }> = [
  { port: ISTIOD_WEBHOOK_PORT, what: 'istiod injection/validation webhook' },
  { port: ISTIOD_XDS_PORT, what: 'istiod xDS/CA' },
  { port: CONTROLLER_MANAGER_WEBHOOK_PORT, what: 'spire-controller-manager webhook' },
  { port: CERT_MANAGER_WEBHOOK_PORT, what: 'cert-manager webhook' },
  { port: LOAD_BALANCER_CONTROLLER_WEBHOOK_PORT, what: 'AWS Load Balancer Controller webhook' },
];

/** CONTROL_PLANE_CALLS grouped by port, in first-seen order: [port, "what, what"]. */
export function webhookPorts(calls: ReadonlyArray<{ readonly port: number; readonly what: string }> = CONTROL_PLANE_CALLS): Array<readonly [number, string]> {
  const byPort = new Map<number, string[]>();
  for (const { port, what } of calls) byPort.set(port, [...(byPort.get(port) ?? []), what]);
  return [...byPort].map(([port, whats]) => [port, whats.join(', ')] as const);
}

const WEBHOOK_PORTS = webhookPorts();

/** Ingress rules of `clusterName`'s node security group (an EKS cluster), in a stable order. */
export function meshIngressRules<A = string>(topology: Topology, clusterName: string, options: MeshRuleOptions<A>): IngressRule<A>[] {
  const cluster = findCluster(topology, clusterName);
  if (cluster.provider !== 'eks') throw new Error(`internal: meshIngressRules is for eks clusters; ${clusterName} is ${cluster.provider}`);
  const rules: IngressRule<A>[] = [];

  const fromPeers = (purpose: RulePurpose, port: number, what: string, peers: readonly ClusterSpec[]) => {
    for (const peer of peers) {
      if (peer.provider === 'eks') {
        // Peered VPCs: the peer's pods and nodes keep their VPC addresses.
        rules.push({ name: `${cluster.name}-${purpose}-${port}-${peer.name}`, purpose, protocol: 'tcp', port, source: { kind: 'cidr', cidr: peer.cidr, peer: peer.name }, description: `${what} from ${peer.name} (peered VPC)` });
        continue;
      }
      const egress = options.egressOf(peer);
      if (egress.length === 0) throw new Error(`internal: no egress addresses for ${peer.provider} cluster ${peer.name}, which must reach ${cluster.name} on ${port}`);
      egress.forEach((cidr, i) => {
        rules.push({ name: `${cluster.name}-${purpose}-${port}-${peer.name}-${i}`, purpose, protocol: 'tcp', port, source: { kind: 'cidr', cidr, peer: peer.name }, description: `${what} from ${peer.name} (${peer.provider} NAT egress)` });
      });
    }
  };
  const fromOwnVpc = (port: number, what: string) => {
    rules.push({ name: `${cluster.name}-lb-health-check-${port}`, purpose: 'lb-health-check', protocol: 'tcp', port, source: { kind: 'cidr', cidr: cluster.cidr, peer: cluster.name }, description: `${what}: load balancer nodes and health checks inside the VPC` });
  };

  // Istio multi-network: every other cluster of the mesh sends through this cluster's east-west gateway.
  const others = topology.clusters.filter((c) => c.name !== cluster.name);
  if (others.length > 0) {
    fromPeers('east-west', EASTWEST_TLS_PORT, 'Istio east-west mTLS', others);
    fromPeers('gateway-status', GATEWAY_STATUS_PORT, 'Istio gateway status', others);
    fromOwnVpc(EASTWEST_TLS_PORT, 'Istio east-west mTLS');
    fromOwnVpc(GATEWAY_STATUS_PORT, 'Istio gateway status');
  }

  // SPIRE federation: every cluster of a federated trust domain runs a server that fetches this bundle endpoint.
  if (cluster.nestedUnder === undefined) {
    const peerDomains = new Set(federatedTrustDomains(topology, cluster.name));
    const fetchers = topology.clusters.filter((c) => peerDomains.has(c.trustDomain));
    if (fetchers.length > 0) {
      fromPeers('bundle-endpoint', BUNDLE_ENDPOINT_PORT, 'SPIRE bundle endpoint', fetchers);
      fromOwnVpc(BUNDLE_ENDPOINT_PORT, 'SPIRE bundle endpoint');
    }
  }

  // Nested SPIRE: the children's upstream agents and servers dial this server's API.
  const children = nestedChildren(topology, cluster.name);
  if (children.length > 0) {
    fromPeers('server-api', SERVER_API_PORT, 'SPIRE server API', children);
    fromOwnVpc(SERVER_API_PORT, 'SPIRE server API');
  }

  for (const [port, what] of WEBHOOK_PORTS) {
    rules.push({ name: `${cluster.name}-webhook-${port}-control-plane`, purpose: 'webhook', protocol: 'tcp', port, source: { kind: 'control-plane' }, description: `${what} from the EKS control plane` });
  }
  return rules;
}

/** Every port a rule of meshIngressRules() can open (for tests and the README's exposure table). */
export const MESH_PORTS: readonly number[] = [EASTWEST_TLS_PORT, GATEWAY_STATUS_PORT, BUNDLE_ENDPOINT_PORT, SERVER_API_PORT, ...WEBHOOK_PORTS.map(([p]) => p)];
