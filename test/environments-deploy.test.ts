/**
 * Every environment in clusters/ deploys with one `pulumi up`: the offline plan runs the stack's program
 * (deployMesh under the plan's mocks), and the notes synth leaves on the manifests that program applies (the
 * topology completed with the stack's roots, addresses and source ranges, infra/stack-values.ts) ask for no
 * manual step: no root CA Secret to create, no load balancer open to every source, no address AWS would not
 * pin, no address to reserve, no Secret the stack writes itself (a managed datastore's connection, a nested
 * parent's kubeconfigs). staging.yaml brings its own roots (public example certificates, keys outside meshfed
 * by design) and its own postgres: its root CA and datastore Secrets are its documented manual steps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology } from '../clusters';
import { runPlan } from '../infra/plan/plan';

const CLUSTERS_DIR = join(__dirname, '..', 'clusters');
const environments = readdirSync(CLUSTERS_DIR).filter((f) => f.endsWith('.yaml')).sort();

/** Notes that mean the user has to do something by hand before the mesh works or is closed. */
const MANUAL_STEPS: Readonly<Record<string, RegExp>> = {
  'root CA Secret': /^root CA: create the kubernetes\.io\/tls Secret/,
  'datastore Secret': /^SPIRE datastore \((postgres|mysql)\): create Secret/,
  'nested kubeconfigs Secret': /^nested SPIRE: create Secret/,
  'open load balancer': /is open to every source/,
  'unpinned AWS address': /AWS ignores loadBalancerIP/,
  'bundle endpoint address': /until clusters\[\d+\]\.bundleEndpoint\.address is set/,
  'server endpoint address': /set clusters\[\d+\]\.serverEndpoint\.address/,
};

/** The manual steps an environment documents in its header, as `<cluster>: <step>`. */
const DOCUMENTED: Readonly<Record<string, readonly string[]>> = {
  // Its header: roots created outside meshfed, and every server on postgres whose connection Secret the user writes.
  'staging.yaml': ['hub: root CA Secret', 'hub: datastore Secret', 'hub-east: datastore Secret', 'hub-west: datastore Secret', 'edge: root CA Secret', 'edge: datastore Secret'],
};

it('covers the shipped examples', () => {
  expect(environments).toEqual(expect.arrayContaining(['dev.yaml', 'eks.yaml', 'mixed.yaml', 'staging.yaml']));
});

describe.each(environments)('clusters/%s under `pulumi up`', (file) => {
  it('leaves no manual step but the documented ones', async () => {
    const topology = loadTopology(readFileSync(join(CLUSTERS_DIR, file), 'utf8'), file, { baseDir: CLUSTERS_DIR, rootsFromStack: true });
    const plan = await runPlan(topology);
    // The program did render its notes (every environment has some, e.g. the remote secrets it creates).
    expect(plan.notes.length).toBeGreaterThan(0);
    const steps = plan.notes.flatMap((n) => Object.entries(MANUAL_STEPS).filter(([, re]) => re.test(n.text)).map(([step]) => `${n.cluster}: ${step}`));
    expect(steps).toEqual(DOCUMENTED[file] ?? []);
  }, 60000);
});
