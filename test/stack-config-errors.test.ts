/**
 * Stack configuration errors: each names the config key (or topology field), the bad value and what is
 * allowed, and the program fails before it constructs any resource. Registrations are recorded as the
 * constructors run (helpers/registrations.ts), so "nothing registered" does not wait on the mock monitor.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { loadTopology, type Topology } from '../clusters';
import { deployMesh, type MeshProgramArgs } from '../infra/mesh-program';
import { apiAccessCidrsConfig, kubeconfigsConfig, topologyFile } from '../infra/stack-config';
import { recordingMocks } from './helpers/pulumi-mocks';
import { trackRegistrations } from './helpers/registrations';
import { tempDirs } from './helpers/temp-dirs';

const registrations = trackRegistrations();
recordingMocks('dev');
beforeEach(() => { registrations.length = 0; });
afterEach(() => { expect(registrations).toEqual([]); });

const topology = (yaml: string): Topology => loadTopology(yaml, '<test>', { baseDir: '/nonexistent', rootsFromStack: true });
const TWO_GKE = topology(`environment: dev
clusters:
  - { name: cluster-1, provider: gke, region: us-central1, trustDomain: foo.com, cidr: 10.10.0.0/16 }
  - { name: cluster-2, provider: gke, region: us-central1, trustDomain: bar.com, cidr: 10.20.0.0/16 }
`);
const GCP = { project: 'meshfed-test', apiAccessCidrs: ['198.51.100.7/32'] };
const existing = (...names: string[]): Pick<MeshProgramArgs, 'existingClusters' | 'kubeconfigs'> => ({
  existingClusters: names,
  kubeconfigs: pulumi.secret(pulumi.output(Object.fromEntries(names.map((n) => [n, `kubeconfig of ${n}`])))),
});

describe('deployMesh refuses', () => {
  it('a meshfed:kubeconfigs entry that is not a cluster of the environment, listing the clusters', () => {
    expect(() => deployMesh({ topology: TWO_GKE, ...existing('cluster-1', 'cluster-9'), gcp: GCP })).toThrow(
      'meshfed:kubeconfigs names cluster-9, which is not a cluster of environment dev (clusters: cluster-1, cluster-2)',
    );
  });

  it('creating gke clusters without gcp:project, naming them', () => {
    expect(() => deployMesh({ topology: TWO_GKE, ...existing('cluster-1'), gcp: { apiAccessCidrs: GCP.apiAccessCidrs } })).toThrow(
      'gcp:project is not set; it is required to create cluster-2 (gke, not given in meshfed:kubeconfigs); allowed: the id of the GCP project to create them in, `pulumi config set gcp:project <project id>`',
    );
  });

  it('creating gke clusters without meshfed:apiAccessCidrs (unset or empty)', () => {
    const message = 'meshfed:apiAccessCidrs is not set (or empty); it is required to create cluster-1, cluster-2 (gke): their API servers only accept these ranges (and peers\' NAT addresses), so the machine running pulumi must be in one; allowed: a list of IPv4 CIDRs, `pulumi config set --path \'meshfed:apiAccessCidrs[0]\' <your address>/32`';
    expect(() => deployMesh({ topology: TWO_GKE, existingClusters: [], gcp: { project: GCP.project } })).toThrow(message);
    expect(() => deployMesh({ topology: TWO_GKE, existingClusters: [], gcp: { project: GCP.project, apiAccessCidrs: [] } })).toThrow(message);
  });

  it('spire.managedDatastore on a cluster given in meshfed:kubeconfigs, with the field path and both ways out', () => {
    const managed = topology(`environment: staging
clusters:
  - { name: lite, provider: gke, region: europe-west1, trustDomain: lite.example, cidr: 10.41.0.0/16 }
  - name: db
    provider: gke
    region: europe-west1
    trustDomain: db.example
    cidr: 10.40.0.0/16
    spire: { datastore: postgres, managedDatastore: true, datastoreSecret: { name: spire-db, key: dsn } }
`);
    expect(() => deployMesh({ topology: managed, ...existing('db'), gcp: GCP })).toThrow(
      'clusters[1].spire.managedDatastore: true is set on db, which meshfed:kubeconfigs gives as existing; a managed datastore is only for clusters the stack creates (remove db from meshfed:kubeconfigs to have it created, or drop managedDatastore and create the database and the Secret spire-server/spire-db yourself)',
    );
  });

  it('eks.managedDatastore on eks clusters given in meshfed:kubeconfigs (nothing would create the RDS instance)', () => {
    const managed = topology(`environment: prod
clusters:
  - { name: east, provider: eks, region: us-east-1, trustDomain: east.example.org, cidr: 10.1.0.0/16, spire: { datastore: postgres }, eks: { managedDatastore: {} } }
  - { name: west, provider: eks, region: us-west-2, trustDomain: west.example.org, cidr: 10.2.0.0/16 }
`);
    expect(() => deployMesh({ topology: managed, ...existing('east', 'west') })).toThrow(
      'clusters[0].eks.managedDatastore is set on east, which meshfed:kubeconfigs gives as existing; a managed datastore is only for clusters the stack creates (remove east from meshfed:kubeconfigs to have it created, or drop managedDatastore and create the database and the Secret spire-server/spire-datastore yourself)',
    );
  });

  it('some but not all eks clusters in meshfed:kubeconfigs (their VPCs are peered pairwise)', () => {
    const eks = topology(`environment: prod
clusters:
  - { name: east, provider: eks, region: us-east-1, trustDomain: east.example.org, cidr: 10.1.0.0/16 }
  - { name: west, provider: eks, region: us-west-2, trustDomain: west.example.org, cidr: 10.2.0.0/16 }
`);
    expect(() => deployMesh({ topology: eks, ...existing('west') })).toThrow(
      'the stack creates every eks cluster of an environment or none (their VPCs are peered pairwise): west is given in meshfed:kubeconfigs, east not',
    );
  });

  it('a created cluster whose peer in another cloud is given in meshfed:kubeconfigs (its NAT egress is unknown)', () => {
    const mixed = topology(`environment: mixed
clusters:
  - { name: gke-1, provider: gke, region: us-central1, trustDomain: g.example.org, cidr: 10.60.0.0/16 }
  - { name: eks-1, provider: eks, region: us-east-1, trustDomain: e.example.org, cidr: 10.70.0.0/16 }
`);
    expect(() => deployMesh({ topology: mixed, ...existing('eks-1'), gcp: GCP })).toThrow(
      'gke-1 admits eks-1 (another cloud) from its NAT egress addresses, which the stack only knows for clusters it creates; eks-1 is given in meshfed:kubeconfigs (allowed: let the stack create eks-1, or give gke-1 in meshfed:kubeconfigs too)',
    );
  });
});

describe('stack config keys, read before the program runs', () => {
  const tempProject = tempDirs('meshfed-project-');
  it('meshfed:apiAccessCidrs: a JSON list of IPv4 CIDRs, none open to everyone', () => {
    expect(apiAccessCidrsConfig(undefined)).toEqual([]);
    expect(apiAccessCidrsConfig('["198.51.100.7/32","10.0.0.0/8"]')).toEqual(['198.51.100.7/32', '10.0.0.0/8']);
    const how = 'set one entry at a time with `pulumi config set --path \'meshfed:apiAccessCidrs[0]\' <your address>/32`';
    expect(() => apiAccessCidrsConfig('198.51.100.7/32')).toThrow(`meshfed:apiAccessCidrs: "198.51.100.7/32" is not JSON; allowed: a list of IPv4 CIDRs, ${how}`);
    expect(() => apiAccessCidrsConfig('"198.51.100.7/32"')).toThrow(`meshfed:apiAccessCidrs: "\\"198.51.100.7/32\\"" is a string; allowed: a list of IPv4 CIDRs, ${how}`);
    expect(() => apiAccessCidrsConfig('["198.51.100.7/32","10.0.0.1/8"]')).toThrow(
      'meshfed:apiAccessCidrs[1]: "10.0.0.1/8" has host bits set (the network address is 10.0.0.0/8); allowed: an IPv4 CIDR a.b.c.d/n with zero host bits',
    );
    expect(() => apiAccessCidrsConfig('["my-laptop"]')).toThrow('meshfed:apiAccessCidrs[0]: "my-laptop" is not an IPv4 CIDR (expected a.b.c.d/n); allowed: an IPv4 CIDR a.b.c.d/n with zero host bits');
    expect(() => apiAccessCidrsConfig('[32]')).toThrow('meshfed:apiAccessCidrs[0]: 32 is a number; allowed: an IPv4 CIDR a.b.c.d/n');
    expect(() => apiAccessCidrsConfig('["0.0.0.0/0"]')).toThrow(
      'meshfed:apiAccessCidrs[0]: "0.0.0.0/0" opens the created clusters\' API servers to everyone; allowed: the ranges that deploy and operate the clusters, e.g. your address/32',
    );
  });

  it('meshfed:kubeconfigs: an object of cluster name to kubeconfig text, never echoed in errors (it is secret)', () => {
    const secretText = 'apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user: { token: s3cr3t-token }\n';
    const how = 'set one entry per existing cluster: `pulumi config set --secret --path \'meshfed:kubeconfigs["<cluster>"]\' "$(cat <cluster>.kubeconfig)"`';
    expect(kubeconfigsConfig(undefined)).toBeUndefined();
    expect(kubeconfigsConfig(JSON.stringify({ 'cluster-1': secretText }))).toEqual({ 'cluster-1': secretText });
    const errorOf = (raw: string): string => {
      try {
        kubeconfigsConfig(raw);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    // Set without --path: the kubeconfig's YAML itself. Pulumi's getObject would print it, token and all.
    const notJson = errorOf(secretText);
    expect(notJson).toBe(`meshfed:kubeconfigs is not JSON (its value is secret, so not shown; a kubeconfig set without --path is YAML); allowed: an object of cluster name to kubeconfig text; ${how}`);
    expect(errorOf(JSON.stringify([secretText]))).toBe(`meshfed:kubeconfigs is a list (its value is secret, so not shown); allowed: an object of cluster name to kubeconfig text; ${how}`);
    expect(errorOf(JSON.stringify({ 'cluster-1': { token: 's3cr3t-token' } }))).toBe(`meshfed:kubeconfigs["cluster-1"] is an object; allowed: the cluster's kubeconfig as text (YAML); ${how}`);
    expect(errorOf(JSON.stringify({ 'cluster-1': ' ' }))).toBe(`meshfed:kubeconfigs["cluster-1"] is empty; allowed: the cluster's kubeconfig as text (YAML); ${how}`);
  });

  it('meshfed:topology: a file that exists, default clusters/<stack>.yaml, else the files there', () => {
    const project = tempProject();
    mkdirSync(join(project, 'clusters'));
    writeFileSync(join(project, 'clusters', 'dev.yaml'), 'environment: dev\n');
    writeFileSync(join(project, 'clusters', 'staging.yaml'), 'environment: staging\n');
    expect(topologyFile(undefined, 'dev', project)).toBe(join(project, 'clusters', 'dev.yaml'));
    expect(topologyFile('clusters/staging.yaml', 'prod', project)).toBe(join(project, 'clusters', 'staging.yaml'));
    expect(topologyFile(join(project, 'clusters', 'staging.yaml'), 'prod', '/elsewhere')).toBe(join(project, 'clusters', 'staging.yaml'));
    const allowed = `allowed: a topology file, absolute or relative to ${project} (here: clusters/dev.yaml, clusters/staging.yaml)`;
    expect(() => topologyFile(undefined, 'prod', project)).toThrow(
      `meshfed:topology is not set and its default for stack prod, clusters/prod.yaml, does not exist; ${allowed}: \`pulumi config set meshfed:topology <file>\``,
    );
    expect(() => topologyFile('clusters/stagin.yaml', 'prod', project)).toThrow(
      `meshfed:topology: "clusters/stagin.yaml" does not exist (read as ${join(project, 'clusters', 'stagin.yaml')}); ${allowed}`,
    );
  });
});
