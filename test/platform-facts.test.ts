/**
 * Every container meshfed renders, checked against the platform facts table: its image is known, its
 * invocation matches the image's ENTRYPOINT, what it writes is writable for the uid it runs as, and the
 * provider admits what it asks for. The hand-made cases below are the defects of issue #9 as they were
 * rendered before the fixes; each check must keep reporting them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  IMAGE_FACTS, imageFacts, PROVIDER_FACTS, PROVIDER_KUBELET_ACCESS, ISTIO_IMAGE_FACTS, SPIRE_IMAGE_FACTS,
} from '../constructs/platform-facts';
import { IMAGES, K8S_WORKLOAD_REGISTRAR_IMAGES } from '../constructs/core/versions';
import { containerProblems, podTemplates, providerProblems, type PodTemplate } from './helpers/platform-facts-checks';
import type { K8sObject } from './helpers/schema-validation';
import { synthTopologyText, THREE_CLUSTERS, twoClusters } from './helpers/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */
const CLUSTERS_DIR = join(__dirname, '..', 'clusters');
const LEGACY_WEBHOOK = '    registrar: { kind: k8s-workload-registrar, mode: webhook, insecureSkipClientVerification: true, acknowledgeInsecureSkipClientVerification: true }';

/** Every environment in clusters/ plus the fixtures' topologies (legacy registrar modes, OIDC, three clusters). */
const TOPOLOGIES: readonly [string, string][] = [
  ...readdirSync(CLUSTERS_DIR).filter((f) => f.endsWith('.yaml')).sort().map((f): [string, string] => [`clusters/${f}`, readFileSync(join(CLUSTERS_DIR, f), 'utf8')]),
  ['THREE_CLUSTERS', THREE_CLUSTERS],
  ['OIDC discovery', twoClusters('    spire: { oidcDiscovery: { enabled: true } }')],
  ['registrar reconcile sidecar', twoClusters('    registrar: { kind: k8s-workload-registrar }')],
  ['registrar crd standalone', twoClusters('    registrar: { kind: k8s-workload-registrar, mode: crd, deployment: standalone }')],
  ['registrar webhook', twoClusters(LEGACY_WEBHOOK)],
];

describe.each(TOPOLOGIES)('%s', (_name, yaml) => {
  const { topology, clusters } = synthTopologyText(yaml);

  it.each(topology.clusters.map((c) => [c.name, c.provider] as const))('%s: every container agrees with its image facts', (name) => {
    const templates = podTemplates(clusters.get(name)!.objects);
    expect(templates.length).toBeGreaterThan(0);
    expect(templates.flatMap(containerProblems)).toEqual([]);
  });

  it.each(topology.clusters.map((c) => [c.name, c.provider] as const))('%s (%s): the provider admits what is rendered', (name, provider) => {
    expect(providerProblems(provider, clusters.get(name)!.objects)).toEqual([]);
  });
});

describe('the facts table', () => {
  it('has an entry for every pinned SPIRE-side image', () => {
    const pinned = [...Object.values(IMAGES), ...Object.values(K8S_WORKLOAD_REGISTRAR_IMAGES)];
    expect(pinned.filter((i) => imageFacts(i) === undefined)).toEqual([]);
  });

  it('names an upstream source for each entry and each provider fact, and no image twice', () => {
    for (const f of [...IMAGE_FACTS, ...PROVIDER_FACTS]) expect(f.source.length).toBeGreaterThan(20);
    const keys = IMAGE_FACTS.map((f) => `${f.repository}:${f.tag}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('is one table: the SPIRE and Istio parts together, one entry per image', () => {
    expect(IMAGE_FACTS).toEqual([...SPIRE_IMAGE_FACTS, ...ISTIO_IMAGE_FACTS]);
    const refs = IMAGE_FACTS.map((f) => `${f.repository}:${f.tag}`);
    expect(new Set(refs).size).toBe(refs.length);
  });

  it('records the facts the SPIRE fixes rely on', () => {
    expect(imageFacts(IMAGES.spireAgent)).toMatchObject({ entrypoint: ['/opt/spire/bin/spire-agent', 'run'], user: 'root', shell: false });
    expect(imageFacts(IMAGES.spireControllerManager)?.writes).toEqual(['/tmp']);
    expect(PROVIDER_KUBELET_ACCESS.gke).toEqual({ address: 'host-ip', verify: false });
  });
});

/** A pod template as a test case: the given containers, pod-level uid 1000 as meshfed renders. */
const pod = (spec: Record<string, any>): PodTemplate => ({ where: 'DaemonSet/ns/x', namespace: 'spire-system', spec: { securityContext: { runAsUser: 1000 }, ...spec } });
const readOnly = { readOnlyRootFilesystem: true };

describe('each check reports the defect it exists for (issue #9 output before the fixes)', () => {
  it('an image without facts', () => {
    expect(containerProblems(pod({ containers: [{ name: 'a', image: 'example.com/unknown:1.0' }] }))).toEqual([
      'DaemonSet/ns/x containers[a]: image example.com/unknown:1.0 has no entry in IMAGE_FACTS',
    ]);
  });

  it('point 4: args alone after an ENTRYPOINT that already runs `spire-agent run`', () => {
    const init = { name: 'wait-for-upstream-svid', image: IMAGES.spireAgent, args: ['api', 'fetch', 'x509', '-socketPath', '/s'], securityContext: readOnly };
    expect(containerProblems(pod({ initContainers: [init], containers: [] }))).toEqual([
      expect.stringMatching(/initContainers\[wait-for-upstream-svid\]: args \["api","fetch","x509"\] run as `\/opt\/spire\/bin\/spire-agent run api fetch x509 -socketPath \/s`: .*set command$/),
      // Running the agent itself, it would also need its socket directory writable.
      expect.stringContaining('writes /tmp/spire-agent/public, but the root filesystem is read-only'),
    ]);
  });

  it('a shell or an unknown binary in an image without one', () => {
    const c = { name: 'c', image: IMAGES.spireServer, command: ['sh', '-c', 'true'] };
    const d = { name: 'd', image: IMAGES.spireServer, command: ['/bin/chown', '1000', '/x'] };
    expect(containerProblems(pod({ containers: [c, d] }))).toEqual([
      `DaemonSet/ns/x containers[c]: command starts with sh, but ${IMAGES.spireServer} has no shell`,
      `DaemonSet/ns/x containers[d]: command /bin/chown is not a binary ${IMAGES.spireServer} is known to have (/opt/spire/bin/spire-server)`,
    ]);
  });

  it('point 3: spire-controller-manager under a read-only root filesystem without /tmp', () => {
    const c = { name: 'spire-controller-manager', image: IMAGES.spireControllerManager, args: ['--config', '/etc/c.yaml'], securityContext: readOnly, volumeMounts: [{ name: 'cfg', mountPath: '/etc/spire-controller-manager', readOnly: true }] };
    expect(containerProblems(pod({ containers: [c] }))).toEqual([
      `DaemonSet/ns/x containers[spire-controller-manager]: ${IMAGES.spireControllerManager} writes /tmp, but the root filesystem is read-only and no writable volume is mounted there`,
    ]);
  });

  it('point 1: a uid-1000 agent writing its socket into a root-owned hostPath, with no chown init container', () => {
    const agent = { name: 'spire-agent', image: IMAGES.spireAgent, args: ['-config', '/c'], securityContext: readOnly, volumeMounts: [{ name: 'sock', mountPath: '/tmp/spire-agent/public' }] };
    const volumes = [{ name: 'sock', hostPath: { path: '/run/spire/agent-sockets', type: 'DirectoryOrCreate' } }];
    expect(containerProblems(pod({ containers: [agent], volumes }))).toEqual([
      'DaemonSet/ns/x containers[spire-agent]: runs as uid 1000 and writes /tmp/spire-agent/public in hostPath volume sock (/run/spire/agent-sockets), which kubelet creates root-owned; no root init container chowns it to 1000',
    ]);
    const owner = { name: 'owner', image: 'busybox:1.37.0', command: ['chown', '1000:1000', '/d'], securityContext: { runAsUser: 0, capabilities: { add: ['CHOWN'] } }, volumeMounts: [{ name: 'sock', mountPath: '/d' }] };
    expect(containerProblems(pod({ initContainers: [owner], containers: [agent], volumes }))).toEqual([]);
  });

  const daemonSet = (priorityClassName: string, namespace = 'spire-system') => ({
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'spire-agent', namespace },
    spec: { template: { spec: { priorityClassName, containers: [] } } },
  }) as unknown as K8sObject;

  it('point 2: system-node-critical outside kube-system on GKE without a PriorityClass-scoped quota', () => {
    expect(providerProblems('gke', [daemonSet('system-node-critical')])).toEqual([
      'DaemonSet/spire-system/spire-agent: priorityClassName system-node-critical outside kube-system on gke needs a ResourceQuota in spire-system scoped to PriorityClass system-node-critical',
    ]);
    expect(providerProblems('gke', [daemonSet('system-node-critical', 'kube-system')])).toEqual([]);
    expect(providerProblems('eks', [daemonSet('system-node-critical')])).toEqual([]);
  });

  it('point 6: kubelet verification by node name on GKE', () => {
    const conf = { plugins: { WorkloadAttestor: { k8s: { plugin_data: { node_name_env: 'MY_NODE_NAME', skip_kubelet_verification: false } } } } };
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'spire-agent', namespace: 'spire-system' }, data: { 'agent.conf': JSON.stringify(conf) } } as unknown as K8sObject;
    const ds = {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'spire-agent', namespace: 'spire-system' },
      spec: { template: { spec: { volumes: [{ name: 'c', configMap: { name: 'spire-agent' } }], containers: [{ name: 'a', env: [{ name: 'MY_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] }] } } },
    } as unknown as K8sObject;
    expect(providerProblems('gke', [cm, ds])).toEqual([
      'ConfigMap/spire-system/spire-agent: the k8s workload attestor verifies the kubelet certificate for spec.nodeName, but gke kubelet certificates name the node IP',
    ]);
    expect(providerProblems('eks', [cm, ds])).toEqual([]);
  });
});
