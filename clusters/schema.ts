/**
 * The topology file's structure (`clusters/<env>.yaml`). Key names are a public contract: tools and
 * tests outside this package rely on them. Cross-field rules (unique names, CIDR overlap, nesting,
 * federation pairs) live in rules.ts; this file only says what each key may hold.
 */
import { z } from 'zod';

export const DNS_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_LABEL_RULE = 'a DNS label: lowercase letters, digits and "-", starting with a letter, at most 63 characters';
/** Go time.Duration syntax, as SPIRE parses durations ("1h", "90m", "1h30m", "500ms"). */
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const DURATION_RULE = 'a Go duration such as "30s", "10m", "1h" or "1h30m"';
const CPU_QUANTITY = /^(\d+m|\d+(\.\d+)?)$/;
const MEMORY_QUANTITY = /^\d+(Ki|Mi|Gi)$/;

/** IPv4 CIDR syntax; ranges are checked again in rules.ts (prefix, octets). */
const IPV4_CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
/**
 * Service.spec.loadBalancerSourceRanges for a load balancer peers dial. Default: the consumers' `cidr`s when
 * every consumer shares this cluster's Istio `network` (then the load balancer is internal too); otherwise
 * none (open), because traffic over the internet arrives from the peers' egress addresses, which only you know.
 */
const sourceRanges = () => z.array(z.string().regex(IPV4_CIDR, { message: 'must be an IPv4 CIDR such as "203.0.113.0/24"' })).min(1).optional();

const dnsLabel = () => z.string().regex(DNS_LABEL, { message: `must be ${DNS_LABEL_RULE}` });
const duration = () => z.string().regex(GO_DURATION, { message: `must be ${DURATION_RULE}` });

export const RESOURCES = z
  .object({
    /** e.g. "100m". */
    cpuRequest: z.string().regex(CPU_QUANTITY, { message: 'must be a CPU quantity such as "100m" or "0.5"' }),
    /** e.g. "128Mi". */
    memoryRequest: z.string().regex(MEMORY_QUANTITY, { message: 'must be a memory quantity such as "128Mi" or "1Gi"' }),
    memoryLimit: z.string().regex(MEMORY_QUANTITY, { message: 'must be a memory quantity such as "512Mi" or "1Gi"' }),
  })
  .strict();

const SPIRE_AGENT = z
  .object({
    /** experimental.sync_interval: how often the agent syncs entries; lower means faster SVIDs for new pods, more server load. */
    syncInterval: duration().default('5s'),
    /** never | auto | always: whether the agent re-attests from the trust bundle when it can no longer talk to its server. */
    rebootstrapMode: z.enum(['never', 'auto', 'always']).default('auto'),
    /** How long the agent keeps failing before it re-bootstraps. */
    rebootstrapDelay: duration().default('10m'),
    resources: RESOURCES.optional(),
  })
  .strict();

const SPIRE = z
  .object({
    replicas: z.number().int().min(1).max(9).default(1),
    datastore: z.enum(['sqlite', 'postgres', 'mysql']).default('sqlite'),
    /** Secret holding the SQL connection string (postgres/mysql); it never appears in synthesized files. */
    datastoreSecret: z
      .object({ name: dnsLabel(), key: z.string().min(1) })
      .strict()
      .default({ name: 'spire-datastore', key: 'connection-string' }),
    /** postgres only: the Pulumi stack creates the database (GKE: Cloud SQL, regional HA, private IP) and the datastoreSecret. */
    managedDatastore: z.boolean().default(false),
    /**
     * Where the server's CA and JWT signing keys live: disk (on each server's volume) or kms (the KMS of the
     * cluster's cloud: Cloud KMS on gke, AWS KMS on eks; the Pulumi stack creates the key ring or IAM role and the
     * server's cloud identity; private keys never leave KMS). kms needs a cluster the stack creates.
     */
    keyManager: z.enum(['disk', 'kms']).default('disk'),
    /** Server CA lifetime. Default 24h on root clusters, half the parent's on nested ones (which must stay shorter than the parent's). */
    caTtl: duration().optional(),
    x509SvidTtl: duration().default('1h'),
    jwtSvidTtl: duration().default('5m'),
    caSubject: z
      .object({ country: z.string().length(2).optional(), organization: z.string().min(1).optional() })
      .strict()
      .default({}),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
    oidcDiscovery: z
      .object({ enabled: z.boolean().default(false), domain: z.string().min(1).optional() })
      .strict()
      .default({ enabled: false }),
    agent: SPIRE_AGENT.default({ syncInterval: '5s', rebootstrapMode: 'auto', rebootstrapDelay: '10m' }),
    serverResources: RESOURCES.optional(),
  })
  .strict();

const REGISTRAR = z
  .object({
    kind: z.enum(['controller-manager', 'k8s-workload-registrar']).default('controller-manager'),
    mode: z.enum(['webhook', 'reconcile', 'crd']).optional(),
    // The keys below apply only to kind k8s-workload-registrar (rules.ts rejects them otherwise).
    /** sidecar: in the SPIRE server pod (admin socket); standalone: its own Deployment (server API over mTLS). Default sidecar. */
    deployment: z.enum(['sidecar', 'standalone']).optional(),
    /** Standalone replicas (sidecars follow spire.replicas). Default 1. */
    replicas: z.number().int().min(1).max(9).optional(),
    /** reconcile/crd: leader election; default true when more than one registrar runs. */
    leaderElection: z.boolean().optional(),
    /** SPIFFE IDs from the service account (spiffe://<td>/ns/<ns>/sa/<sa>), a pod label's or a pod annotation's value. Default service-account. */
    identity: z.enum(['service-account', 'pod-label', 'pod-annotation']).optional(),
    /** Label key for identity pod-label. Default "spire-workload". */
    podLabel: z.string().min(1).optional(),
    /** Annotation key for identity pod-annotation. Default "spiffe.io/spiffe-id". */
    podAnnotation: z.string().min(1).optional(),
    logLevel: z.enum(['panic', 'fatal', 'error', 'warn', 'info', 'debug', 'trace']).optional(),
    /** webhook: skip verifying the API server's client certificate (unauthenticated callers). */
    insecureSkipClientVerification: z.boolean().optional(),
    /** Must be true together with insecureSkipClientVerification. */
    acknowledgeInsecureSkipClientVerification: z.boolean().optional(),
    resources: RESOURCES.optional(),
  })
  .strict();

const NODE_POOL = z
  .object({
    /** Machine type; default per provider (GKE e2-standard-4, EKS m6i.large). */
    machineType: z.string().min(1).optional(),
    minNodes: z.number().int().min(1).default(3),
    maxNodes: z.number().int().min(1).default(6),
  })
  .strict();

/**
 * How a root SPIRE server is reached from other clusters: federation peers fetch its bundle endpoint,
 * nested children's upstream agents and servers dial its server API. The address is the one peers
 * dial (a reserved static IP or a DNS name); host validity is checked in rules.ts.
 */
const ENDPOINT = (defaultPort: number) =>
  z
    .object({
      /** Host name or IP peers dial; omit until known (synth then says what is missing). */
      address: z.string().min(1).optional(),
      port: z.number().int().min(1).max(65535).default(defaultPort),
      /** Type of the Service that exposes the port (LoadBalancer, or NodePort/ClusterIP behind your own ingress). */
      serviceType: z.enum(['LoadBalancer', 'NodePort', 'ClusterIP']).default('LoadBalancer'),
      /** Service annotations, e.g. an internal load balancer or a reserved address. */
      annotations: z.record(z.string(), z.string()).default({}),
      /** Who may connect (LoadBalancer only); see sourceRanges for the default. */
      loadBalancerSourceRanges: sourceRanges(),
    })
    .strict();

/** A trust domain root supplied from outside: the CA certificate file (public) and the Secret with its key. */
const ROOT_CA = z
  .object({
    /** PEM file, relative to the topology file; may hold several CA certificates (root rotation). */
    certificateFile: z.string().min(1),
    /** kubernetes.io/tls Secret in meshfed-ca holding the key pair (the trust domain's CA lives there, out of every workload's reach), created outside meshfed. */
    secretName: dnsLabel().default('spire-root-ca'),
  })
  .strict();

/** Per-cluster Istio settings. */
const CLUSTER_ISTIO = z
  .object({
    /** Inject istio-proxy as a native sidecar; default: what Istio does on the cluster's version (1.33+). */
    nativeSidecars: z.boolean().optional(),
    /** The east-west gateway's load balancer: reserved address (pinned on GKE) and who may connect. */
    eastWestGateway: z
      .object({
        /** IPv4 address reserved for the gateway's load balancer; omit to let the provider pick. */
        address: z.string().min(1).optional(),
        /** Who may connect to 15443/15021; see sourceRanges for the default. */
        loadBalancerSourceRanges: sourceRanges(),
        /** Service annotations added to (and overriding) meshfed's passthrough load balancer ones, e.g. the AWS Load Balancer Controller's. */
        annotations: z.record(z.string(), z.string()).default({}),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Mesh-wide Istio settings. */
const ISTIO = z
  .object({
    /** How istiod accepts federated peers' identities: trustDomainAliases (default) or per-peer caCertificates (needs every peer's rootCa). */
    trustDomainAcceptance: z.enum(['aliases', 'caCertificates']).default('aliases'),
    /** Ingress and east-west gateway replicas (HPA bounds); min >= 2 keeps one up through a node drain. */
    gatewayReplicas: z
      .object({ min: z.number().int().min(1).default(2), max: z.number().int().min(1).max(100).default(5) })
      .strict()
      .default({ min: 2, max: 5 }),
  })
  .strict();

/** Settings of a cluster the Pulumi stack creates (infra/gcp for gke, infra/aws for eks). */
const CLOUD = z
  .object({
    /** A zonal cluster in this zone (must be in the cluster's region); default: a regional cluster. */
    zone: z.string().regex(/^[a-z]{2,}(-[a-z0-9]+)+-[a-z]$/, { message: 'must be a zone such as "us-central1-a"' }).optional(),
    /** GKE release channel. */
    releaseChannel: z.enum(['RAPID', 'REGULAR', 'STABLE']).default('REGULAR'),
    /** Refuse to delete the cluster (GKE and EKS deletion protection, RDS/Cloud SQL deletion protection, Pulumi protect on stateful resources); default: on unless the environment is dev-like (dev, test, ci, sandbox, local). */
    deletionProtection: z.boolean().optional(),
    /** The control plane's private range (a /28; GKE masterIpv4CidrBlock); default: derived, disjoint from every cluster's ranges. */
    controlPlaneCidr: z.string().optional(),
  })
  .strict();

/**
 * EKS-only settings (provider: eks). Cross-field rules (zones vs cidr, datastore) live in rules.ts;
 * defaults are resolved in infra/aws/options.ts.
 */
const EKS = z
  .object({
    /** Zone names, 2 to 6; default "<region>a", "<region>b", "<region>c". The cidr must hold their subnets. */
    availabilityZones: z.array(z.string().min(1)).optional(),
    /** one-per-zone (default: a zone outage keeps the other zones' egress) or single (cheaper, dev). */
    natGateways: z.enum(['one-per-zone', 'single']).optional(),
    /** CIDRs allowed to reach the public API endpoint; default: public endpoint open (AWS default), private endpoint always on. */
    apiAccessCidrs: z.array(z.string()).min(1).optional(),
    /** Peer istiods on EKS get an EKS access entry (AmazonEKSViewPolicy) and an IRSA role to read this cluster; remote secrets still carry the reader token (README, "Access entries versus tokens"). Default false. */
    accessEntries: z.boolean().optional(),
    /** spire.datastore postgres on RDS (Multi-AZ, encrypted, private subnets) created by the stack. */
    managedDatastore: z
      .object({
        /** RDS instance class. Default db.t4g.medium. */
        instanceClass: z.string().min(1).optional(),
        /** password (default: RDS-managed master password, delivered as the datastoreSecret) or iam (SPIRE database_type aws_postgres, IRSA role with rds-db:connect). */
        auth: z.enum(['password', 'iam']).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const CLUSTER = z
  .object({
    name: dnsLabel(),
    provider: z.enum(['gke', 'eks']),
    region: z.string().regex(/^[a-z]{2,}(-[a-z0-9]+)+$/, { message: 'must be a cloud region such as "us-central1" or "eu-west-1"' }),
    trustDomain: z.string().optional(),
    network: dnsLabel().optional(),
    cidr: z.string(),
    nestedUnder: z.string().optional(),
    /** The kubeconfig context of this cluster, used by every kubectl, istioctl and helm command in RUNBOOK.md and NOTES.md (GKE's and EKS's default context names differ). Default: the cluster name. */
    kubeContext: z.string().regex(/^\S+$/, { message: 'must be a kubeconfig context name: not empty, no whitespace' }).optional(),
    kubernetesVersion: z.string().regex(/^1\.\d{2}$/, { message: 'must be a Kubernetes minor version such as "1.30"' }).default('1.30'),
    nodePool: NODE_POOL.default({ minNodes: 3, maxNodes: 6 }),
    spire: SPIRE.default(() => SPIRE.parse({})),
    registrar: REGISTRAR.default({ kind: 'controller-manager' }),
    /** Root clusters only: the trust domain's root CA supplied from outside (enables declarative federation bootstrap). */
    rootCa: ROOT_CA.optional(),
    /** Root clusters only: where peers reach this trust domain's SPIRE bundle endpoint. */
    bundleEndpoint: ENDPOINT(8443).optional(),
    /** Clusters with nested children only: where the children's upstream agents and servers reach this SPIRE server's API. */
    serverEndpoint: ENDPOINT(8081).optional(),
    istio: CLUSTER_ISTIO.default({}),
    /** Pod range (GKE subnet secondary range); default: derived, disjoint from every cluster's ranges (infra/address-ranges.ts). */
    podCidr: z.string().optional(),
    /** Service range (GKE subnet secondary range); default: derived like podCidr. */
    serviceCidr: z.string().optional(),
    /** Clusters the stack creates: cloud settings (ignored for clusters given in meshfed:kubeconfigs). */
    cloud: CLOUD.default(() => CLOUD.parse({})),
    /** provider: eks only: VPC, IAM and add-on settings of the created cluster. */
    eks: EKS.optional(),
  })
  .strict();

export const FEDERATION = z.union([
  z.enum(['full-mesh', 'none']),
  z.array(z.tuple([z.string(), z.string()])),
]);

export const TOPOLOGY = z
  .object({
    environment: dnsLabel(),
    mesh: z.object({ id: dnsLabel().default('mesh1') }).strict().default({ id: 'mesh1' }),
    clusters: z.array(CLUSTER).min(1, { message: 'must list at least one cluster' }),
    federation: FEDERATION.default('full-mesh'),
    /** Istio's helloworld (v1 in the first cluster, v2 in the second) and sleep samples, for the RUNBOOK checks (70-samples.yaml). */
    samples: z.boolean().default(true),
    istio: ISTIO.default(() => ISTIO.parse({})),
  })
  .strict();

/** The file as written (defaults optional). */
export type TopologyInput = z.input<typeof TOPOLOGY>;
/** The file after defaults, before cross-field resolution. */
export type TopologyParsed = z.output<typeof TOPOLOGY>;
export type ClusterParsed = z.output<typeof CLUSTER>;
export type ResourcesSpec = z.output<typeof RESOURCES>;
export type EndpointSpec = z.output<ReturnType<typeof ENDPOINT>>;
export type RootCaParsed = z.output<typeof ROOT_CA>;
export type EksParsed = z.output<typeof EKS>;

/** JSON Schema of the topology file, for editors (written to clusters/topology.schema.json). */
export function topologyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(TOPOLOGY, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $id: 'https://meshfed.dev/schemas/topology.schema.json',
    title: 'meshfed topology',
    description: 'One environment: the clusters of an Istio multi-cluster mesh on SPIRE identities.',
    ...schema,
  };
}
