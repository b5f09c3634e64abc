/** Istio sample workloads (70-samples.yaml): what runs where, injection, ports, probes, security, the topology switch, errors. */
import { App, Chart } from 'cdk8s';
import { ISTIO_SPIFFE_ID_TEMPLATE } from '../constructs/spire/workload-identity';
import { INJECTION_TEMPLATES_ANNOTATION, SPIRE_INJECTION_TEMPLATES } from '../constructs/istio/model';
import { HelloworldSample, SampleNamespace, SleepSample, type HelloworldVersion } from '../constructs/istio/samples';
import { SAMPLE_IMAGES } from '../constructs/core/versions';
import { sampleVersionsOf } from '../clusters/samples';
import { validateObject } from './helpers/schema-validation';
import { find, findAll, synthTopologyText, THREE_CLUSTERS, DEV_TOPOLOGY, twoClusters, type SynthesizedCluster } from './helpers/synth';

const DEV = DEV_TOPOLOGY;
const THREE = THREE_CLUSTERS;
const FILE = '70-samples.yaml';

type Obj = Record<string, any>;

describe.each([['dev', DEV], ['three clusters', THREE]])('%s topology', (_label, text) => {
  const { topology, clusters, result } = synthTopologyText(text);

  it('puts helloworld v1 in the first cluster, v2 in the second, no version in any later one', () => {
    const where = topology.clusters.map((c) => [c.name, findAll(clusters.get(c.name)!.files.get(FILE) ?? [], 'Deployment').map((d) => d.metadata.name).sort()]);
    const expected = [['helloworld-v1', 'sleep'], ['helloworld-v2', 'sleep'], ['sleep']];
    expect(where).toEqual(topology.clusters.map((c, i) => [c.name, expected[i]]));
  });

  it('installs 70-samples.yaml after 65-istio-mesh.yaml in the RUNBOOK', () => {
    for (const [i, c] of topology.clusters.entries()) {
      const runbook = result.clusters[i].documents?.get('RUNBOOK.md') ?? '';
      const mesh = runbook.indexOf('apply -f 65-istio-mesh.yaml');
      const samples = runbook.indexOf(`kubectl --context=${c.name} apply -f ${FILE}`);
      expect(mesh).toBeGreaterThan(0);
      expect(samples).toBeGreaterThan(mesh);
    }
  });

  describe.each(topology.clusters.map((c, i) => [c.name, i]))('cluster %s', (name, index) => {
    const c = clusters.get(name) as SynthesizedCluster;
    const samples = c.files.get(FILE) ?? [];
    const deployments = findAll(samples, 'Deployment') as Obj[];
    const helloworlds = deployments.filter((d) => d.metadata.namespace === 'helloworld');

    it('keeps every sample object in 70-samples.yaml, nowhere else', () => {
      const elsewhere = [...c.files].filter(([f]) => f !== FILE).flatMap(([, objs]) => objs)
        .filter((o) => ['helloworld', 'sleep'].includes(o.metadata.namespace ?? o.metadata.name));
      expect(elsewhere).toEqual([]);
      expect(samples.map((o) => `${o.kind}/${o.metadata.namespace ?? '-'}/${o.metadata.name}`)).toEqual([
        'Namespace/-/helloworld', 'ServiceAccount/helloworld/helloworld', 'Service/helloworld/helloworld',
        ...helloworlds.map((d) => `Deployment/helloworld/${d.metadata.name}`),
        'Namespace/-/sleep', 'ServiceAccount/sleep/sleep', 'Service/sleep/sleep', 'Deployment/sleep/sleep',
      ]);
    });

    it('labels both namespaces for injection under Pod Security restricted', () => {
      for (const ns of ['helloworld', 'sleep']) {
        expect(find(samples, 'Namespace', ns).metadata.labels).toMatchObject({
          'istio-injection': 'enabled',
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        });
      }
    });

    it('has the helloworld Service on 5000 (http) selecting every version, and sleep on 80 (http)', () => {
      const hw = find(samples, 'Service', 'helloworld', 'helloworld') as Obj;
      expect(hw.spec.ports).toEqual([{ name: 'http', port: 5000, targetPort: 5000 }]);
      expect(hw.spec.selector).toEqual({ app: 'helloworld' });
      const sleep = find(samples, 'Service', 'sleep', 'sleep') as Obj;
      expect(sleep.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 80 }]);
      expect(sleep.spec.selector).toEqual({ app: 'sleep' });
      for (const d of deployments) {
        const svc = find(samples, 'Service', d.metadata.namespace === 'helloworld' ? 'helloworld' : 'sleep', d.metadata.namespace) as Obj;
        expect(d.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
      }
    });

    it('runs the version of its position, with the image and SERVICE_VERSION of that version', () => {
      const version = (['v1', 'v2'] as const)[index];
      expect(helloworlds.map((d) => d.metadata.name)).toEqual(version ? [`helloworld-${version}`] : []);
      for (const d of helloworlds) {
        const [container] = d.spec.template.spec.containers as Obj[];
        expect(container.image).toBe(version === 'v1' ? 'docker.io/istio/examples-helloworld-v1:1.0' : 'docker.io/istio/examples-helloworld-v2:1.0');
        expect(container.env).toEqual([{ name: 'SERVICE_VERSION', value: version }]);
        expect(d.spec.selector.matchLabels).toEqual({ app: 'helloworld', version });
        expect(d.spec.template.metadata.labels).toMatchObject({ app: 'helloworld', version });
      }
    });

    it('serves and probes helloworld on 5000 /hello with a writable /tmp', () => {
      for (const d of helloworlds) {
        const spec = d.spec.template.spec;
        const [container] = spec.containers as Obj[];
        expect(container.ports).toEqual([{ name: 'http', containerPort: 5000 }]);
        for (const probe of [container.readinessProbe, container.livenessProbe]) {
          expect(probe.httpGet).toEqual({ path: '/hello', port: 5000, scheme: 'HTTP' });
        }
        expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
        expect(spec.volumes.find((v: Obj) => v.name === 'tmp').emptyDir).toBeDefined();
      }
    });

    it('runs sleep as a curl client that idles', () => {
      const [container] = (find(samples, 'Deployment', 'sleep', 'sleep') as Obj).spec.template.spec.containers as Obj[];
      expect(container.image).toBe('curlimages/curl:8.16.0');
      expect(container.command).toEqual(['/bin/sleep', 'infinity']);
      expect(container.ports).toBeUndefined();
    });

    it('injects every sample pod with the sidecar and spire templates, as the IstioOperator defines them', () => {
      const iop = find(c.objects, 'IstioOperator', `meshfed-${name}`, 'istio-system') as Obj;
      expect(Object.keys(iop.spec.values.sidecarInjectorWebhook.templates)).toContain('spire');
      expect(SPIRE_INJECTION_TEMPLATES).toBe('sidecar,spire');
      for (const d of deployments) {
        const meta = d.spec.template.metadata;
        expect(meta.annotations).toEqual({ [INJECTION_TEMPLATES_ANNOTATION]: 'sidecar,spire' });
        expect(Object.keys(meta.labels)).toEqual(expect.arrayContaining(['app', 'version']));
      }
    });

    it('gives each app its own ServiceAccount, so its SPIFFE ID is spiffe://<td>/ns/<ns>/sa/<app>', () => {
      expect(ISTIO_SPIFFE_ID_TEMPLATE).toBe('spiffe://{{ .TrustDomain }}/ns/{{ .PodMeta.Namespace }}/sa/{{ .PodSpec.ServiceAccountName }}');
      for (const d of deployments) {
        const app = d.spec.template.metadata.labels.app;
        expect([d.metadata.namespace, d.spec.template.spec.serviceAccountName]).toEqual([app, app]);
        find(samples, 'ServiceAccount', app, app);
      }
    });

    it('meets Pod Security restricted in the pod (so the injected proxy does too) and in every container', () => {
      expect(deployments.length).toBeGreaterThan(0);
      for (const d of deployments) {
        const spec = d.spec.template.spec;
        expect(d.spec.replicas).toBe(1);
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
        expect(spec.automountServiceAccountToken).toBe(false);
        for (const container of spec.containers as Obj[]) {
          expect(container.securityContext).toMatchObject({
            allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] },
          });
          expect(container.securityContext.capabilities.add).toBeUndefined();
          expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
          expect(container.resources.limits.memory).toBeDefined();
          expect(container.image).toMatch(/:[\w.-]+$/);
          expect(container.image).not.toMatch(/:latest$/);
        }
      }
      for (const sa of findAll(samples, 'ServiceAccount') as Obj[]) expect(sa.automountServiceAccountToken).toBe(false);
    });

    it('passes schema validation, object by object', () => {
      expect(samples.length).toBeGreaterThan(0);
      expect(samples.map((o) => [o.kind, o.metadata.name, validateObject(o)])).toEqual(samples.map((o) => [o.kind, o.metadata.name, []]));
    });
  });
});

describe('samples: false', () => {
  const { result } = synthTopologyText(`${twoClusters()}samples: false\n`);

  it('writes no 70-samples file and no sample namespace in any cluster', () => {
    expect(result.clusters.length).toBe(2);
    for (const c of result.clusters) {
      expect([...c.files.keys()]).not.toContain(FILE);
      expect([...c.files.values()].join('\n')).not.toMatch(/namespace: (helloworld|sleep)\b/);
    }
  });

  it('leaves 70-samples.yaml out of the RUNBOOK install step and says why', () => {
    const runbook = result.clusters[0].documents?.get('RUNBOOK.md') ?? '';
    expect(runbook).not.toContain(`apply -f ${FILE}`);
    expect(runbook).toContain('apply -f 65-istio-mesh.yaml');
    expect(runbook).toContain('`samples: false`');
  });
});

describe('sampleVersionsOf (clusters/samples.ts)', () => {
  it('follows the file order of the topology', () => {
    const { topology } = synthTopologyText(THREE);
    expect(topology.clusters.map((c) => sampleVersionsOf(topology, c.name))).toEqual([['v1'], ['v2'], []]);
  });

  it('is empty everywhere when the topology turns samples off', () => {
    const { topology } = synthTopologyText(THREE);
    const off = { ...topology, samples: false };
    expect(off.clusters.map((c) => sampleVersionsOf(off, c.name))).toEqual([[], [], []]);
  });
});

describe('sample construct errors', () => {
  const chart = () => new Chart(new App(), 'test');

  it.each([
    ['an unknown helloworld version', () => new HelloworldSample(chart(), 'H', { versions: ['v1', 'v3' as HelloworldVersion] }),
      'HelloworldSample.versions[1]: "v3" is not a helloworld version (one of: v1, v2)'],
    ['a helloworld version listed twice', () => new HelloworldSample(chart(), 'H', { versions: ['v2', 'v2'] }),
      'HelloworldSample.versions[1]: "v2" is listed twice (each version runs once per cluster)'],
    ['a helloworld namespace that is not a DNS label', () => new HelloworldSample(chart(), 'H', { namespace: 'Hello_World' }),
      `HelloworldSample.namespace: "Hello_World" must be a DNS label (lowercase letters, digits, '-', at most 63 characters)`],
    ['a sleep namespace that is not a DNS label', () => new SleepSample(chart(), 'S', { namespace: 'sleep.ns' }),
      `SleepSample.namespace: "sleep.ns" must be a DNS label (lowercase letters, digits, '-', at most 63 characters)`],
    ['a sample namespace that is not a DNS label', () => new SampleNamespace(chart(), 'N', { name: '' }),
      `SampleNamespace.name: "" must be a DNS label (lowercase letters, digits, '-', at most 63 characters)`],
    ['a bad memory quantity', () => new SleepSample(chart(), 'S', { resources: { cpuRequest: '10m', memoryRequest: '16MB', memoryLimit: '64Mi' } }),
      'resources: memory "16MB" must look like "128Mi" or "1Gi"'],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(expect.objectContaining({ name: 'PropsError', message }));
  });

  it('accepts another namespace and uses it for every object', () => {
    const c = chart();
    new HelloworldSample(c, 'H', { namespace: 'hw', versions: ['v2'] });
    const objects = c.toJson() as Obj[];
    expect(objects.map((o) => o.metadata.namespace ?? o.metadata.name)).toEqual(['hw', 'hw', 'hw', 'hw']);
    expect(objects.find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0].image).toBe(SAMPLE_IMAGES.helloworldV2);
  });
});
