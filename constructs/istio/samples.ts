/**
 * Istio's sample workloads, used by each cluster's RUNBOOK.md to show the mesh working: helloworld
 * (one Service everywhere, v1 and v2 Deployments in different clusters) called from sleep (a curl
 * client). Every pod is injected with Istio's sidecar plus meshfed's `spire` template, so the proxies
 * carry SPIFFE IDs spiffe://<trust domain>/ns/<namespace>/sa/<service account> issued by SPIRE.
 */
import { Duration, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { INJECTION_TEMPLATES_ANNOTATION, SPIRE_INJECTION_TEMPLATES } from './model';
import { podSecurityLabels } from '../core/namespaces';
import { PropsError, requireDnsLabel } from '../core/props-error';
import { SAMPLE_IMAGES } from '../core/versions';
import {
  containerResources, NON_ROOT_UID, patchPodSpec, restrictedContainerSecurity, restrictedPodSecurity, type ResourceRequirements,
} from '../core/workload-defaults';

export const HELLOWORLD = 'helloworld';
export const SLEEP = 'sleep';
/** helloworld's gunicorn listens here; the RUNBOOK curls helloworld.helloworld:5000/hello. */
export const HELLOWORLD_PORT = 5000;
export const SLEEP_SERVICE_PORT = 80;

export type HelloworldVersion = 'v1' | 'v2';
export const HELLOWORLD_VERSIONS: readonly HelloworldVersion[] = ['v1', 'v2'];

const HELLOWORLD_IMAGES: Readonly<Record<HelloworldVersion, string>> = { v1: SAMPLE_IMAGES.helloworldV1, v2: SAMPLE_IMAGES.helloworldV2 };
const HELLOWORLD_RESOURCES: ResourceRequirements = { cpuRequest: '50m', memoryRequest: '64Mi', memoryLimit: '256Mi' };
const SLEEP_RESOURCES: ResourceRequirements = { cpuRequest: '10m', memoryRequest: '16Mi', memoryLimit: '64Mi' };
/** The curl image's own non-root user (curl_user). */
const CURL_UID = 100;
const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'meshfed' };

export interface SampleNamespaceProps {
  /** Namespace name (a DNS label). */
  readonly name: string;
}

/**
 * A namespace whose pods get Istio's sidecar (`istio-injection: enabled`) under Pod Security
 * "restricted": with Istio CNI there is no NET_ADMIN init container, and istio-proxy runs as 1337
 * without privileges, so injected pods pass as long as the pod sets seccomp and runAsNonRoot.
 */
export class SampleNamespace extends Construct {
  readonly namespace: kplus.Namespace;

  constructor(scope: Construct, id: string, props: SampleNamespaceProps) {
    super(scope, id);
    requireDnsLabel('SampleNamespace.name', props.name);
    this.namespace = new kplus.Namespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: {
          ...MANAGED_BY,
          'istio-injection': 'enabled',
          ...podSecurityLabels('restricted'),
        },
      },
    });
  }
}

export interface HelloworldSampleProps {
  /** @default "helloworld" */
  readonly namespace?: string;
  /**
   * Versions whose Deployment (`helloworld-<version>`, one replica) runs in this cluster. The Service
   * is written whatever this says, as Istio multi-cluster expects: pods are endpoints only where their
   * cluster has the Service (its EndpointSlices), and a local Service resolves without the DNS proxy.
   * @default [] - namespace, ServiceAccount and Service only
   */
  readonly versions?: readonly HelloworldVersion[];
  /** @default - 50m CPU and 64Mi requested, 256Mi limit */
  readonly resources?: ResourceRequirements;
}

/** helloworld: the `helloworld` Service on 5000 (selecting both versions) and the Deployments of `versions`. */
export class HelloworldSample extends Construct {
  readonly namespace: string;
  readonly service: kplus.Service;
  readonly deployments: ReadonlyMap<HelloworldVersion, kplus.Deployment>;

  constructor(scope: Construct, id: string, props: HelloworldSampleProps = {}) {
    super(scope, id);
    const versions = props.versions ?? [];
    versions.forEach((v, i) => {
      if (!HELLOWORLD_VERSIONS.includes(v)) {
        throw new PropsError(`HelloworldSample.versions[${i}]: ${JSON.stringify(v)} is not a helloworld version (one of: ${HELLOWORLD_VERSIONS.join(', ')})`);
      }
      if (versions.indexOf(v) !== i) throw new PropsError(`HelloworldSample.versions[${i}]: ${JSON.stringify(v)} is listed twice (each version runs once per cluster)`);
    });
    this.namespace = props.namespace ?? HELLOWORLD;
    requireDnsLabel('HelloworldSample.namespace', this.namespace);
    const resources = containerResources(props.resources ?? HELLOWORLD_RESOURCES);

    new SampleNamespace(this, 'Namespace', { name: this.namespace });
    const metadata = (name: string, labels: Record<string, string>) => ({ name, namespace: this.namespace, labels: { ...MANAGED_BY, ...labels } });
    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: metadata(HELLOWORLD, { app: HELLOWORLD }), automountToken: false });
    this.service = new kplus.Service(this, 'Service', {
      metadata: metadata(HELLOWORLD, { app: HELLOWORLD, service: HELLOWORLD }),
      ports: [{ name: 'http', port: HELLOWORLD_PORT, targetPort: HELLOWORLD_PORT }],
    });
    this.service.selectLabel('app', HELLOWORLD);

    const deployments = new Map<HelloworldVersion, kplus.Deployment>();
    for (const version of versions) {
      const labels = { app: HELLOWORLD, version };
      const tmp = kplus.Volume.fromEmptyDir(this, `Tmp-${version}`, 'tmp', { sizeLimit: Size.mebibytes(64) });
      const deployment = sampleDeployment(this, `Deployment-${version}`, {
        metadata: metadata(`${HELLOWORLD}-${version}`, labels),
        labels,
        serviceAccount,
        uid: NON_ROOT_UID,
        container: {
          name: HELLOWORLD,
          image: HELLOWORLD_IMAGES[version],
          // The app answers "Hello version: <SERVICE_VERSION>, instance: <pod>" on GET /hello.
          envVariables: { SERVICE_VERSION: kplus.EnvValue.fromValue(version) },
          ports: [{ name: 'http', number: HELLOWORLD_PORT }],
          resources,
          readiness: kplus.Probe.fromHttpGet('/hello', { port: HELLOWORLD_PORT, initialDelaySeconds: Duration.seconds(2), periodSeconds: Duration.seconds(10) }),
          liveness: kplus.Probe.fromHttpGet('/hello', { port: HELLOWORLD_PORT, initialDelaySeconds: Duration.seconds(10), periodSeconds: Duration.seconds(30), failureThreshold: 3 }),
          // gunicorn keeps its worker heartbeat files in the temp dir; the rest of the root stays read-only.
          volumeMounts: [{ path: '/tmp', volume: tmp }],
        },
        volumes: [tmp],
      });
      deployments.set(version, deployment);
    }
    this.deployments = deployments;
  }
}

export interface SleepSampleProps {
  /** @default "sleep" */
  readonly namespace?: string;
  /** @default - 10m CPU and 16Mi requested, 64Mi limit */
  readonly resources?: ResourceRequirements;
}

/** sleep: a curl client that idles, so `kubectl exec deploy/sleep -c sleep -- curl ...` calls from inside the mesh. */
export class SleepSample extends Construct {
  readonly namespace: string;
  readonly deployment: kplus.Deployment;
  readonly service: kplus.Service;

  constructor(scope: Construct, id: string, props: SleepSampleProps = {}) {
    super(scope, id);
    this.namespace = props.namespace ?? SLEEP;
    requireDnsLabel('SleepSample.namespace', this.namespace);
    const resources = containerResources(props.resources ?? SLEEP_RESOURCES);

    new SampleNamespace(this, 'Namespace', { name: this.namespace });
    const labels = { app: SLEEP, version: 'v1' };
    const metadata = (extra: Record<string, string>) => ({ name: SLEEP, namespace: this.namespace, labels: { ...MANAGED_BY, ...extra } });
    const serviceAccount = new kplus.ServiceAccount(this, 'ServiceAccount', { metadata: metadata({ app: SLEEP }), automountToken: false });
    // Nothing listens on 80; the Service gives sleep a mesh host name, as Istio's sample does.
    this.service = new kplus.Service(this, 'Service', {
      metadata: metadata({ app: SLEEP, service: SLEEP }),
      ports: [{ name: 'http', port: SLEEP_SERVICE_PORT, targetPort: SLEEP_SERVICE_PORT }],
    });
    this.service.selectLabel('app', SLEEP);
    // `curl -o /tmp/...` needs somewhere writable.
    const tmp = kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp', { sizeLimit: Size.mebibytes(16) });
    this.deployment = sampleDeployment(this, 'Deployment', {
      metadata: metadata(labels),
      labels,
      serviceAccount,
      uid: CURL_UID,
      // sleep as PID 1 has no SIGTERM handler, so the kernel ignores the signal: do not wait 30s for it.
      terminationGracePeriod: Duration.seconds(1),
      container: {
        name: SLEEP,
        image: SAMPLE_IMAGES.curl,
        command: ['/bin/sleep', 'infinity'],
        resources,
        volumeMounts: [{ path: '/tmp', volume: tmp }],
      },
      volumes: [tmp],
    });
  }
}

interface SampleDeploymentProps {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
  /** Pod labels, also the Deployment's selector. */
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: kplus.IServiceAccount;
  readonly uid: number;
  readonly container: Omit<kplus.ContainerProps, 'securityContext' | 'imagePullPolicy'>;
  readonly volumes: kplus.Volume[];
  readonly terminationGracePeriod?: Duration;
}

/**
 * One replica, no PDB: samples are for verification, not availability. The pod carries what the
 * injected istio-proxy needs to pass "restricted" too: pod-level seccomp and runAsNonRoot (the proxy
 * sets its own uid, capabilities and read-only root, but no seccomp profile).
 */
function sampleDeployment(scope: Construct, id: string, props: SampleDeploymentProps): kplus.Deployment {
  const deployment = new kplus.Deployment(scope, id, {
    metadata: props.metadata,
    replicas: 1,
    select: false,
    serviceAccount: props.serviceAccount,
    // The app containers call no Kubernetes API; istio-proxy gets its own projected istio-token from the injector.
    automountServiceAccountToken: false,
    securityContext: restrictedPodSecurity(props.uid),
    ...(props.terminationGracePeriod ? { terminationGracePeriod: props.terminationGracePeriod } : {}),
    podMetadata: { labels: { ...props.labels }, annotations: { [INJECTION_TEMPLATES_ANNOTATION]: SPIRE_INJECTION_TEMPLATES } },
    containers: [{
      ...props.container,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      securityContext: restrictedContainerSecurity(props.uid),
    }],
    volumes: props.volumes,
  });
  deployment.select(kplus.LabelSelector.of({ labels: { ...props.labels } }));
  // cdk8s-plus has no pod-level seccompProfile; the injected istio-proxy inherits this one.
  patchPodSpec(deployment, 'securityContext/seccompProfile', { type: 'RuntimeDefault' });
  return deployment;
}
