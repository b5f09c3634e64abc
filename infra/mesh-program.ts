/**
 * The whole Pulumi program for one environment, as a function the stack (stacks/index.ts) and the offline
 * plan (`meshfed plan`, infra/plan/cli.ts) both call:
 *
 *  1. clouds: clusters not given in `existingKubeconfigs` are created (gke: GcpEnvironment, eks:
 *     AwsEnvironment, both handing over a ClusterInfra); each created cluster gets reserved addresses for
 *     the Services peers dial (endpointsToReserve); across clouds, firewall and security group sources
 *     are the peer cloud's reserved NAT egress addresses;
 *  2. trust: a root CA per root trust domain without `rootCa` (RootCa), its key pair written as the
 *     kubernetes.io/tls Secret the cert-manager CA Issuer reads, before that Issuer's file is applied;
 *  3. manifests: synth's renderTopology over the topology completed with those roots and addresses
 *     (withStackValues), inside one apply; the files (so the ConfigGroups) per cluster are known up front
 *     from the same rendering with placeholders;
 *  4. per cluster a ClusterDeployment, then across clusters the Istio remote secrets.
 * No resource is created inside an apply.
 */
import * as pulumi from '@pulumi/pulumi';
import { parseAllDocuments } from 'yaml';
import { discoveryPairs, exposesBundleEndpoint } from '../clusters/federation';
import { hostPort } from '../clusters/host';
import { findCluster, nestedChildren, rootClusters, type ClusterSpec, type ServerCloudValues, type Topology } from '../clusters/model';
import { SPIRE_SERVER_NAMESPACE, SPIRE_SYSTEM_NAMESPACE } from '../constructs/core/names';
import { NESTED } from '../constructs/spire/nested';
import { kubeconfigEndpoint, tokenKubeconfig } from './kubeconfig';
import { CA_ISSUER } from '../constructs/cert-manager/ca';
import { renderTopology, type SynthResult } from '../synth/synthesize';
import { CHART_FILES, type SynthNote } from '../synth/cluster-manifests';
import { clusterRanges, type ClusterRanges } from './address-ranges';
import { deletionProtection, endpointsToReserve, type ClusterInfra, type EndpointKind } from './cluster-infra';
import { AwsEnvironment, awsClusterInfra } from './aws/environment';
import { ClusterDeployment, type ManifestFile, type StackSecret } from './cluster-deployment';
import { firewallRules, type FirewallRule } from './firewall-rules';
import { GcpEnvironment } from './gcp/environment';
import { RemoteSecrets } from './remote-secrets';
import { RootCa } from './root-ca';
import { stackShape, withStackValues, type ClusterStackValues } from './stack-values';

export interface MeshProgramArgs {
  readonly topology: Topology;
  /** Clusters that exist already: name -> kubeconfig (secret). The others are created. */
  readonly existingClusters: readonly string[];
  readonly kubeconfigs?: pulumi.Output<Record<string, string>>;
  /** Settings of the GCP provider, needed when gke clusters are created (eks clusters need none: a provider per region). */
  readonly gcp?: { readonly project?: string; readonly apiAccessCidrs?: readonly string[] };
}

export interface ClusterOutputs {
  readonly trustDomain: string;
  readonly apiEndpoint: pulumi.Output<string>;
  /** Reserved east-west gateway address (created clusters with peers). */
  readonly eastWestAddress?: pulumi.Output<string>;
  /** `https://host:port` of the trust domain's bundle endpoint, when it has federation peers. */
  readonly bundleEndpointUrl?: pulumi.Output<string>;
  /** The trust domain's root CA certificate (public), generated or supplied. */
  readonly rootCaCert?: pulumi.Output<string>;
}

export interface MeshProgram {
  readonly ranges: readonly ClusterRanges[];
  readonly rules: readonly FirewallRule[];
  readonly gcp?: GcpEnvironment;
  readonly aws?: AwsEnvironment;
  readonly rootCas: Readonly<Record<string, RootCa>>;
  readonly deployments: Readonly<Record<string, ClusterDeployment>>;
  readonly remoteSecrets: RemoteSecrets;
  readonly outputs: Readonly<Record<string, ClusterOutputs>>;
  /** Kubeconfig per cluster (secret). */
  readonly kubeconfigs: pulumi.Output<Record<string, string>>;
  /**
   * synth's notes on the manifests the stack applies (the topology completed with its roots and addresses):
   * what is still left to the user after `pulumi up`, e.g. a root CA Secret whose key meshfed never sees.
   */
  readonly notes: pulumi.Output<readonly SynthNote[]>;
}

/** A user error in the stack's configuration: Pulumi prints the message without a stack trace. */
export class StackConfigError extends pulumi.RunError {}

/** The synthesized files of every cluster as objects (what ConfigGroups take). */
export function manifestFiles(topology: Topology): Record<string, ManifestFile[]> {
  return renderedFiles(renderTopology(topology, '/unused'));
}

function renderedFiles(rendered: SynthResult): Record<string, ManifestFile[]> {
  return Object.fromEntries(rendered.clusters.map((c) => [c.cluster, [...c.files].map(([name, yaml]) => ({
    name,
    objects: parseAllDocuments(yaml).map((d) => d.toJS() as Record<string, unknown>).filter((o) => o !== null),
  }))]));
}

function checkClusters(topology: Topology, args: MeshProgramArgs): ClusterSpec[] {
  const names = new Set(topology.clusters.map((c) => c.name));
  const unknown = args.existingClusters.filter((n) => !names.has(n));
  if (unknown.length > 0) {
    throw new StackConfigError(`meshfed:kubeconfigs names ${unknown.join(', ')}, which ${unknown.length > 1 ? 'are not clusters' : 'is not a cluster'} of environment ${topology.environment} (clusters: ${[...names].join(', ')})`);
  }
  const toCreate = topology.clusters.filter((c) => !args.existingClusters.includes(c.name));
  // VPC peering spans every EKS cluster of the environment, so the stack creates all of them or none.
  const eks = topology.clusters.filter((c) => c.provider === 'eks');
  const eksExisting = eks.filter((c) => args.existingClusters.includes(c.name));
  if (eksExisting.length > 0 && eksExisting.length < eks.length) {
    throw new StackConfigError(`the stack creates every eks cluster of an environment or none (their VPCs are peered pairwise): ${eksExisting.map((c) => c.name).join(', ')} ${eksExisting.length > 1 ? 'are' : 'is'} given in meshfed:kubeconfigs, ${eks.filter((c) => !eksExisting.includes(c)).map((c) => c.name).join(', ')} not`);
  }
  // A managed datastore is created with its cluster; on an existing cluster nothing would create it or its Secret.
  const unmanageable = topology.clusters.flatMap((c, i) => {
    if (!args.existingClusters.includes(c.name)) return [];
    const field = c.spire.managedDatastore ? `clusters[${i}].spire.managedDatastore: true` : c.eks?.managedDatastore ? `clusters[${i}].eks.managedDatastore` : undefined;
    return field ? [`${field} is set on ${c.name}, which meshfed:kubeconfigs gives as existing; a managed datastore is only for clusters the stack creates (remove ${c.name} from meshfed:kubeconfigs to have it created, or drop managedDatastore and create the database and the Secret ${SPIRE_SERVER_NAMESPACE}/${c.spire.datastoreSecret.name} yourself)`] : [];
  });
  if (unmanageable.length > 0) throw new StackConfigError(unmanageable.join('\n'));
  const kmsOnExisting = topology.clusters.filter((c) => c.spire.keyManager === 'kms' && args.existingClusters.includes(c.name));
  if (kmsOnExisting.length > 0) {
    throw new StackConfigError(`spire.keyManager kms is only for clusters the stack creates (it creates the key ring or IAM role and the server's cloud identity with the cluster); ${kmsOnExisting.map((c) => c.name).join(', ')} ${kmsOnExisting.length > 1 ? 'are' : 'is'} given in meshfed:kubeconfigs (use keyManager disk there)`);
  }
  const gke = toCreate.filter((c) => c.provider === 'gke');
  if (gke.length > 0 && !args.gcp?.project) {
    throw new StackConfigError(`gcp:project is not set; it is required to create ${gke.map((c) => c.name).join(', ')} (gke, not given in meshfed:kubeconfigs); allowed: the id of the GCP project to create them in, \`pulumi config set gcp:project <project id>\``);
  }
  if (gke.length > 0 && (args.gcp?.apiAccessCidrs ?? []).length === 0) {
    throw new StackConfigError(`meshfed:apiAccessCidrs is not set (or empty); it is required to create ${gke.map((c) => c.name).join(', ')} (gke): their API servers only accept these ranges (and peers' NAT addresses), so the machine running pulumi must be in one; allowed: a list of IPv4 CIDRs, \`pulumi config set --path 'meshfed:apiAccessCidrs[0]' <your address>/32\``);
  }
  return toCreate;
}

/** The file, namespace and Secret of the cert-manager CA Issuer (CA_ISSUER) in a root cluster's manifests. */
export function caIssuerSecret(cluster: string, files: readonly ManifestFile[]): { file: string; namespace: string; secretName: string } {
  for (const f of files) {
    for (const o of f.objects as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; spec?: { ca?: { secretName?: string } } }[]) {
      if (o.apiVersion === 'cert-manager.io/v1' && o.kind === 'Issuer' && o.metadata?.name === CA_ISSUER && o.spec?.ca?.secretName && o.metadata.namespace) {
        return { file: f.name, namespace: o.metadata.namespace, secretName: o.spec.ca.secretName };
      }
    }
  }
  throw new Error(`internal: root cluster ${cluster} has no cert-manager Issuer ${CA_ISSUER} with a CA Secret in its manifests`);
}

/** Decodes a service-account-token Secret's data.token (base64). */
function tokenOf(cluster: string, data: Record<string, string> | undefined): string {
  if (!data?.token) throw new Error(`${SPIRE_SYSTEM_NAMESPACE}/${NESTED.parentAccess}-token in cluster ${cluster} has no data.token yet (the token controller fills it in)`);
  return Buffer.from(data.token, 'base64').toString('utf8');
}

/**
 * The parent's Secret with one kubeconfig per nested child (NestedSpireParent mounts it): the child's API
 * endpoint and CA (from its kubeconfig) and the child's spire-parent-server token.
 */
function nestedKubeconfigs(children: readonly { name: string; kubeconfig: pulumi.Output<string>; deployment: ClusterDeployment }[]): StackSecret {
  const stringData: Record<string, pulumi.Output<string>> = {};
  for (const child of children) {
    const token = child.deployment.parentAccessToken;
    if (!token) throw new Error(`internal: nested cluster ${child.name} has no ${NESTED.parentAccess}-token Secret in its manifests`);
    stringData[child.name] = pulumi.secret(pulumi.all([child.kubeconfig, token.data]).apply(([kubeconfig, data]) => {
      const { server, caPem } = kubeconfigEndpoint(child.name, kubeconfig);
      return tokenKubeconfig({ cluster: child.name, user: NESTED.parentAccess, server, caPem, token: tokenOf(child.name, data) });
    }));
  }
  return {
    id: NESTED.kubeconfigSecret,
    namespace: SPIRE_SERVER_NAMESPACE,
    name: NESTED.kubeconfigSecret,
    type: 'Opaque',
    stringData,
    dependsOn: children.map((c) => c.deployment.parentAccessToken!),
  };
}

export function deployMesh(args: MeshProgramArgs): MeshProgram {
  const { topology } = args;
  const toCreate = checkClusters(topology, args);
  const ranges = clusterRanges(topology);
  const rules = firewallRules(topology, ranges);
  const created = new Set(toCreate.map((c) => c.name));
  // A created cluster admits peers of the other cloud from their NAT egress addresses, which the stack
  // knows only for clusters it creates (it reserves them).
  for (const rule of rules.filter((r) => created.has(r.target))) {
    const unknown = rule.peerEgress.filter((p) => !created.has(p));
    if (unknown.length > 0) {
      throw new StackConfigError(`${rule.target} admits ${unknown.join(', ')} (another cloud) from ${unknown.length > 1 ? 'their' : 'its'} NAT egress addresses, which the stack only knows for clusters it creates; ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} given in meshfed:kubeconfigs (allowed: let the stack create ${unknown.join(', ')}, or give ${rule.target} in meshfed:kubeconfigs too)`);
    }
  }

  // The topology as it will be once the stack's roots and addresses exist (placeholders in their places):
  // which trust is rendered, so which istiods read which API servers and which remote secrets exist.
  const shapeTopology = stackShape(topology, created);
  const pairs = discoveryPairs(shapeTopology);

  // Cross-cloud sources: a peer's reserved NAT egress addresses. The clouds need each other's (GCP firewalls
  // admit EKS NAT Elastic IPs, AWS security groups admit GKE Cloud NAT addresses), so the EKS ones reach
  // the GCP side through a promise fulfilled once the AWS environment exists: values, not resources, flow.
  let fulfilEksEgress!: (egress: Readonly<Record<string, pulumi.Output<string>[]>>) => void;
  const eksEgress = new Promise<Readonly<Record<string, pulumi.Output<string>[]>>>((resolve) => { fulfilEksEgress = resolve; });
  // GKE: the Cloud NAT address of the peer's region (one per region, GcpNetwork).
  const gkeEgress = (peer: ClusterSpec): pulumi.Output<string> => gcpEnv!.network.natAddresses[peer.region].address.apply((a) => `${a}/32`);
  const egressOf = (peer: string): pulumi.Output<string[]> => {
    const spec = findCluster(topology, peer);
    if (spec.provider === 'gke') return gkeEgress(spec).apply((cidr) => [cidr]);
    return pulumi.output(eksEgress.then((e) => pulumi.all(e[peer])));
  };

  // A created cluster's load balancers admit exactly the sources its firewall rules admit.
  const sourceRangesOf = (name: string): Partial<Record<EndpointKind, pulumi.Output<string[]>>> => {
    const of = (purpose: FirewallRule['purpose']): pulumi.Output<string[]> => {
      const rule = rules.find((r) => r.target === name && r.purpose === purpose);
      if (!rule) return pulumi.output([]);
      return pulumi.all([pulumi.output([...rule.sources]), ...rule.peerEgress.map(egressOf)]).apply((all) => all.flat());
    };
    return { bundleEndpoint: of('bundle-endpoint'), serverEndpoint: of('nested-server'), eastWestGateway: of('eastwest') };
  };

  const gkeToCreate = toCreate.filter((c) => c.provider === 'gke');
  const gcpEnv: GcpEnvironment | undefined = gkeToCreate.length > 0
    ? new GcpEnvironment(topology.environment, { topology, pairs, clusters: gkeToCreate, ranges, rules, project: args.gcp!.project!, apiAccessCidrs: args.gcp!.apiAccessCidrs!, egressOf })
    : undefined;
  const awsEnv = toCreate.some((c) => c.provider === 'eks')
    ? new AwsEnvironment(`${topology.environment}-aws`, {
      topology,
      pairs,
      egressOf: (peer) => [gkeEgress(peer)],
      endpointsOf: (c) => endpointsToReserve(topology, c),
      // Written by the stack before the SPIRE server's file, as Cloud SQL's.
      datastoreSecret: 'caller',
    })
    : undefined;
  fulfilEksEgress(Object.fromEntries(Object.entries(awsEnv?.clusters ?? {}).map(([name, c]) => [name, c.egressCidrs])));
  const infraOf: Record<string, ClusterInfra> = {
    ...(gcpEnv?.infra ?? {}),
    ...Object.fromEntries(Object.entries(awsEnv?.clusters ?? {}).map(([name, c]) => [name, awsClusterInfra(c)])),
  };
  const infra = (name: string): ClusterInfra | undefined => infraOf[name];
  const kubeconfigOf = (name: string): pulumi.Output<string> => infra(name)?.kubeconfig ?? args.kubeconfigs!.apply((all) => {
    const value = all[name];
    if (value === undefined) throw new Error(`meshfed:kubeconfigs has no entry for cluster ${name}`);
    return value;
  });

  const rootCas: Record<string, RootCa> = {};
  for (const root of rootClusters(topology).filter((c) => c.rootCa === undefined)) {
    rootCas[root.name] = new RootCa(`${root.name}-root-ca`, { trustDomain: root.trustDomain, protect: deletionProtection(topology, root) });
  }

  // Where the real values will be, placeholders first: the files (and ConfigGroups) of every cluster.
  const shape = manifestFiles(shapeTopology);
  const values: pulumi.Output<Record<string, ClusterStackValues>> = pulumi.all(Object.fromEntries(topology.clusters.map((c) => {
    const i = infra(c.name);
    const addresses = Object.fromEntries(Object.entries(i?.addresses ?? {}).filter(([k]) => k !== 'eastWestGateway'));
    const rootCaPem: pulumi.Output<string | undefined> = rootCas[c.name]?.certPem ?? pulumi.output<string | undefined>(undefined);
    const annotations = pulumi.all(i?.annotations ?? {}) as pulumi.Output<Partial<Record<EndpointKind, Record<string, string>>>>;
    const sourceRanges = pulumi.all(i ? sourceRangesOf(c.name) : {}) as pulumi.Output<Partial<Record<EndpointKind, string[]>>>;
    const server: pulumi.Output<ServerCloudValues | undefined> = i?.server ?? pulumi.output<ServerCloudValues | undefined>(undefined);
    return [c.name, pulumi.all([rootCaPem, pulumi.all(addresses as Record<string, pulumi.Output<string>>), annotations, sourceRanges, server]).apply(([rootCaPem, a, annotations, sourceRanges, server]): ClusterStackValues => ({
      ...(rootCaPem !== undefined ? { rootCaPem } : {}),
      addresses: a as Partial<Record<EndpointKind, string>>,
      annotations,
      ...(i ? { sourceRanges } : {}),
      ...(server ? { server } : {}),
    }))];
  }))) as pulumi.Output<Record<string, ClusterStackValues>>;
  const completed = values.apply((v) => withStackValues(topology, v));
  const synthesized = completed.apply((t) => renderTopology(t, '/unused'));
  const rendered = synthesized.apply(renderedFiles);

  const deployments: Record<string, ClusterDeployment> = {};
  /** `<cluster> <namespace>/<name>` of every Secret the stack writes into a cluster: notes asking for them are not left to the user. */
  const writtenSecrets = new Set<string>();
  // Children before their parents: a parent's spire-nested-kubeconfigs Secret waits for its children's tokens.
  const depth = (c: ClusterSpec): number => (c.nestedUnder === undefined ? 0 : 1 + depth(findCluster(topology, c.nestedUnder)));
  for (const cluster of [...topology.clusters].sort((a, b) => depth(b) - depth(a))) {
    const i = infra(cluster.name);
    const manifests = shape[cluster.name];
    const secretsBefore: Record<string, StackSecret[]> = {};
    const root = rootCas[cluster.name];
    if (root) {
      // Where the CA Issuer reads the root key pair from, taken from the rendered Issuer itself (CertManagerCa
      // decides namespace and Secret name), and written right before the file that applies that Issuer.
      const { file, namespace, secretName } = caIssuerSecret(cluster.name, manifests);
      secretsBefore[file] = [{
        id: secretName, namespace, name: secretName, type: 'kubernetes.io/tls',
        stringData: { 'tls.crt': root.certPem, 'tls.key': root.keyPem },
      }];
    }
    const children = nestedChildren(topology, cluster.name);
    const serverSecrets: StackSecret[] = [];
    if (children.length > 0) {
      serverSecrets.push(nestedKubeconfigs(children.map((c) => ({ name: c.name, kubeconfig: kubeconfigOf(c.name), deployment: deployments[c.name] }))));
    }
    if (i?.datastoreConnectionString) {
      // The Secret the server's DataStore reads its connection string from (spire.datastoreSecret).
      const ref = cluster.spire.datastoreSecret;
      serverSecrets.push({ id: 'spire-datastore-secret', namespace: SPIRE_SERVER_NAMESPACE, name: ref.name, type: 'Opaque', stringData: { [ref.key]: i.datastoreConnectionString } });
    }
    if (serverSecrets.length > 0) secretsBefore[`${CHART_FILES.spireServer}.yaml`] = serverSecrets;
    for (const s of Object.values(secretsBefore).flat()) writtenSecrets.add(`${cluster.name} ${s.namespace}/${s.name}`);
    const objectsBefore = i?.serverPrerequisites ? { [`${CHART_FILES.spireServer}.yaml`]: i.serverPrerequisites } : {};
    const eastWest = i?.addresses.eastWestGateway;
    deployments[cluster.name] = new ClusterDeployment(cluster.name, {
      kubeconfig: kubeconfigOf(cluster.name),
      // The releases from the shape (placeholder roots where the stack generates them), their values from the real roots.
      topology: shapeTopology,
      valuesTopology: completed,
      cluster: cluster.name,
      manifests,
      rendered: rendered.apply((r) => r[cluster.name]),
      secretsBefore,
      objectsBefore,
      ...(eastWest ? {
        eastWestService: {
          loadBalancerIP: eastWest,
          loadBalancerSourceRanges: sourceRangesOf(cluster.name).eastWestGateway ?? [],
        },
      } : {}),
      ...(i ? { dependsOn: i.ready } : {}),
      ...(i?.addons ? { addons: i.addons } : {}),
    });
  }
  const remoteSecrets = new RemoteSecrets('remote-secrets', { pairs, clusters: deployments });

  const outputs: Record<string, ClusterOutputs> = {};
  for (const cluster of topology.clusters) {
    const i = infra(cluster.name);
    const root = findCluster(topology, cluster.root);
    const rootCaCert = rootCas[root.name]?.certPem ?? (root.rootCa ? pulumi.output(root.rootCa.certificatePem) : undefined);
    outputs[cluster.name] = {
      trustDomain: cluster.trustDomain,
      apiEndpoint: i?.apiEndpoint ?? pulumi.output('(existing cluster: see its kubeconfig)'),
      ...(i?.addresses.eastWestGateway ? { eastWestAddress: i.addresses.eastWestGateway } : {}),
      ...(exposesBundleEndpoint(topology, root)
        ? { bundleEndpointUrl: completed.apply((t) => { const ep = findCluster(t, root.name).bundleEndpoint; return ep?.address ? `https://${hostPort(ep.address, ep.port)}` : '(not known: set bundleEndpoint.address)'; }) }
        : {}),
      ...(rootCaCert ? { rootCaCert } : {}),
    };
  }
  const kubeconfigs = pulumi.secret(pulumi.all(Object.fromEntries(topology.clusters.map((c) => [c.name, kubeconfigOf(c.name)]))));
  const notes = synthesized.apply((r) => r.notes.filter((n) => n.createsSecret === undefined || !writtenSecrets.has(`${n.cluster} ${n.createsSecret}`)));
  return { ranges, rules, ...(gcpEnv ? { gcp: gcpEnv } : {}), ...(awsEnv ? { aws: awsEnv } : {}), rootCas, deployments, remoteSecrets, outputs, kubeconfigs, notes };
}
