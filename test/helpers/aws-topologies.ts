/** Topologies for the AWS tests: 2 and 3 EKS clusters, a nested EKS tree and a mixed GKE + EKS mesh. */
import fc from 'fast-check';
import { loadTopology, type Topology } from '../../clusters';

export function topologyOf(yaml: string): Topology {
  return loadTopology(yaml, '<test>', { baseDir: '/nonexistent' });
}

export const TWO_EKS = `environment: two-eks
clusters:
  - { name: east, provider: eks, region: us-east-1, trustDomain: east.example.org, cidr: 10.1.0.0/16 }
  - { name: west, provider: eks, region: us-west-2, trustDomain: west.example.org, cidr: 10.2.0.0/16 }
`;

export const THREE_EKS = `environment: prod
clusters:
  - { name: a, provider: eks, region: eu-west-1, trustDomain: a.example.org, cidr: 10.11.0.0/16 }
  - { name: b, provider: eks, region: eu-west-1, trustDomain: b.example.org, cidr: 10.12.0.0/16 }
  - { name: c, provider: eks, region: eu-central-1, trustDomain: c.example.org, cidr: 10.13.0.0/16 }
`;

export const NESTED_EKS = `environment: nested
clusters:
  - name: root
    provider: eks
    region: us-east-1
    trustDomain: corp.example.org
    cidr: 10.50.0.0/16
    serverEndpoint: { annotations: { service.beta.kubernetes.io/aws-load-balancer-scheme: internal } }
  - { name: child-a, provider: eks, region: us-east-1, nestedUnder: root, cidr: 10.51.0.0/16 }
  - { name: child-b, provider: eks, region: us-east-2, nestedUnder: root, cidr: 10.52.0.0/16 }
federation: none
`;

export const MIXED = `environment: mixed
clusters:
  - { name: gke-1, provider: gke, region: us-central1, trustDomain: g.example.org, cidr: 10.60.0.0/16 }
  - { name: eks-1, provider: eks, region: us-east-1, trustDomain: e.example.org, cidr: 10.70.0.0/16 }
`;

/**
 * Random topologies of 2 to 6 clusters, each EKS or GKE (so EKS-only and mixed meshes), EKS ones in one
 * of three regions with 2 to 4 zones, roots or nested under an earlier root, federation full-mesh or
 * none. Valid by construction (loadTopology accepts every one).
 */
export const randomMeshYaml: fc.Arbitrary<string> = fc
  .record({
    specs: fc.array(
      fc.record({ eks: fc.boolean(), region: fc.constantFrom('us-east-1', 'us-west-2', 'eu-west-1'), zones: fc.integer({ min: 2, max: 4 }), nestUnder: fc.option(fc.nat(5), { nil: undefined }) }),
      { minLength: 2, maxLength: 6 },
    ),
    federation: fc.constantFrom('full-mesh', 'none'),
  })
  .map(({ specs, federation }) => {
    const lines = ['environment: prop', 'clusters:'];
    const roots: number[] = [];
    specs.forEach((s, i) => {
      const parent = s.nestUnder !== undefined && roots.length > 0 ? roots[s.nestUnder % roots.length] : undefined;
      const region = s.eks ? s.region : 'us-central1';
      const zones = s.eks ? `, eks: { availabilityZones: [${'abcd'.slice(0, s.zones).split('').map((z) => `${region}${z}`).join(', ')}] }` : '';
      const base = `  - { name: c${i}, provider: ${s.eks ? 'eks' : 'gke'}, region: ${region}, cidr: 10.${i}.0.0/16${zones}`;
      if (parent === undefined) {
        roots.push(i);
        lines.push(`${base}, trustDomain: t${i}.example.org }`);
      } else {
        lines.push(`${base}, nestedUnder: c${parent} }`);
      }
    });
    lines.push(`federation: ${federation}`);
    return `${lines.join('\n')}\n`;
  });
