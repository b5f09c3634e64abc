/**
 * The AWS Load Balancer Controller's pod readiness gates: which namespaces get the inject label
 * (clusters/pod-readiness-gates.ts) and what synth renders and tells the user.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lbControllerIpTargets, servedByLbController } from '../clusters/aws-subnets';
import { POD_READINESS_GATE_INJECT_LABEL, readinessGateNamespaces } from '../clusters/pod-readiness-gates';
import { find, synthTopologyText } from './helpers/synth';
import { withStackValues } from '../infra/stack-values';

const TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';
const TARGET = 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type';
// Upstream fact (docs/deploy/pod_readiness_gate.md, aws-load-balancer-controller v3.5.0): this namespace label, value "enabled".
const LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';

const eks = synthTopologyText(readFileSync(join(__dirname, '..', 'clusters', 'eks.yaml'), 'utf8'));
const labelsOf = (cluster: string, namespace: string): Record<string, string> =>
  find(eks.clusters.get(cluster)!.files.get('00-namespaces.yaml')!, 'Namespace', namespace).metadata.labels ?? {};

describe('which Services the controller serves with IP targets', () => {
  it('external with target type ip, and nlb-ip; not instance targets, the in-tree nlb or no annotation', () => {
    expect(POD_READINESS_GATE_INJECT_LABEL).toEqual({ [LABEL]: 'enabled' });
    expect(lbControllerIpTargets({ [TYPE]: 'external', [TARGET]: 'ip' })).toBe(true);
    expect(lbControllerIpTargets({ [TYPE]: 'nlb-ip' })).toBe(true);
    expect(lbControllerIpTargets({ [TYPE]: 'external', [TARGET]: 'instance' })).toBe(false);
    expect(lbControllerIpTargets({ [TYPE]: 'nlb', [TARGET]: 'ip' })).toBe(false);
    expect(lbControllerIpTargets(undefined)).toBe(false);
    // Instance targets are still the controller's (it must run), only without a gate.
    expect(servedByLbController({ [TYPE]: 'external', [TARGET]: 'instance' })).toBe(true);
    expect(servedByLbController({ [TYPE]: 'nlb' })).toBe(false);
  });
});

describe('clusters/eks.yaml synthesized', () => {
  it('labels the root\'s spire-server namespace (its server API is an IP-target internal NLB), next to its Pod Security labels', () => {
    expect(labelsOf('root', 'spire-server')).toMatchObject({ [LABEL]: 'enabled', 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('labels nothing else: the east-west gateway keeps the in-tree NLB (instance targets) outside the stack, children expose no Service', () => {
    expect(labelsOf('root', 'istio-system')).not.toHaveProperty(LABEL);
    expect(labelsOf('root', 'spire-system')).not.toHaveProperty(LABEL);
    for (const child of ['child-east', 'child-west']) {
      for (const ns of ['spire-server', 'spire-system', 'istio-system']) expect(labelsOf(child, ns)).not.toHaveProperty(LABEL);
    }
  });

  it('tells the root\'s NOTES that the controller must run there, and only the root\'s', () => {
    const notes = (cluster: string) => eks.result.notes.filter((n) => n.cluster === cluster && n.text.startsWith('AWS Load Balancer Controller:'));
    expect(notes('root')).toHaveLength(1);
    expect(notes('root')[0].text).toContain(`Namespace spire-server carries ${LABEL}=enabled`);
    expect(notes('child-east')).toEqual([]);
  });
});

describe('readinessGateNamespaces', () => {
  const root = eks.topology.clusters.find((c) => c.name === 'root')!;

  it('follows the stack\'s east-west gateway annotations into istio-system', () => {
    const completed = withStackValues(eks.topology, { root: { annotations: { eastWestGateway: { [TYPE]: 'external', [TARGET]: 'ip' } } } });
    expect(readinessGateNamespaces(completed.clusters.find((c) => c.name === 'root')!)).toEqual({ spireServer: true, istioSystem: true });
    expect(readinessGateNamespaces(root)).toEqual({ spireServer: true, istioSystem: false });
  });

  it('is off on GKE whatever the annotations (no controller there) and for a Service that is not a LoadBalancer', () => {
    expect(readinessGateNamespaces({ ...root, provider: 'gke' })).toEqual({ spireServer: false, istioSystem: false });
    expect(readinessGateNamespaces({ ...root, serverEndpoint: { ...root.serverEndpoint!, serviceType: 'ClusterIP' } })).toEqual({ spireServer: false, istioSystem: false });
  });
});
