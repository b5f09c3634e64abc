/** The Pulumi program under mocks that refuse anything unexpected: no test can reach a cloud. */
import * as pulumi from '@pulumi/pulumi';

interface Created { type: string; name: string; inputs: Record<string, any>; }
const created: Created[] = [];

beforeAll(() => {
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        created.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => {
        throw new Error(`unexpected provider call ${args.token}`);
      },
    },
    'meshfed',
    'dev',
    false,
  );
  pulumi.runtime.setAllConfig({
    'meshfed:kubeconfigs': JSON.stringify({ 'cluster-1': 'kubeconfig-1', 'cluster-2': 'kubeconfig-2' }),
  }, ['meshfed:kubeconfigs']);
});

describe('stack dev', () => {
  let clusters: string[];
  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    clusters = require('../stacks/index').clusters;
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  it('deploys every cluster of clusters/dev.yaml with its own provider', () => {
    expect(clusters).toEqual(['cluster-1', 'cluster-2']);
    expect(created.filter((c) => c.type === 'pulumi:providers:kubernetes').map((c) => c.name).sort()).toEqual(['cluster-1-k8s', 'cluster-2-k8s']);
  });

  it('installs the pinned prerequisites through their Helm charts', () => {
    const releases = created.filter((c) => c.type === 'kubernetes:helm.sh/v3:Release' && c.name.startsWith('cluster-1'));
    expect(releases.map((r) => [r.inputs.chart, r.inputs.version]).sort()).toEqual([['cert-manager', 'v1.16.5'], ['spire-crds', '0.6.0']]);
  });

  it('applies each synthesized file as one ConfigGroup, in file order', () => {
    const groups = created.filter((c) => c.type === 'kubernetes:yaml/v2:ConfigGroup' && c.name.startsWith('cluster-1-'));
    expect(groups.map((g) => g.name)).toEqual([...groups.map((g) => g.name)].sort());
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(['cluster-1-00-namespaces', 'cluster-1-20-spire-server', 'cluster-1-30-spire-agent']));
    expect(groups.map((g) => g.name).filter((n) => /istio/.test(n))).toEqual([]);
    const server = groups.find((g) => g.name === 'cluster-1-20-spire-server')!;
    expect(server.inputs.objs.some((o: any) => o.kind === 'StatefulSet' && o.metadata.name === 'spire-server')).toBe(true);
  });
});
