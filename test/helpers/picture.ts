/** Topologies and the committed docs picture for the topology-picture tests. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology, type Topology } from '../../clusters';
import { renderTopologyPicture } from '../../synth/topology-picture';

const CLUSTERS_DIR = join(__dirname, '..', '..', 'clusters');

export const DOCS_PICTURE = join(__dirname, '..', '..', 'docs', 'topology-dev.svg');
export const UPDATE_DOCS_PICTURE_ENV = 'MESHFED_UPDATE_DOCS_PICTURE';

export function environment(name: string): Topology {
  const file = `${name}.yaml`;
  return loadTopology(readFileSync(join(CLUSTERS_DIR, file), 'utf8'), file, { baseDir: CLUSTERS_DIR });
}

export function topologyText(yaml: string): Topology {
  return loadTopology(yaml, 'test.yaml', { baseDir: CLUSTERS_DIR });
}

/** What docs/topology-dev.svg (shown in the README) must contain: the dev environment's picture. */
export async function docsPictureSvg(): Promise<string> {
  return (await renderTopologyPicture(environment('dev'))).svg;
}

/**
 * Five clusters over both clouds and four regions: a nested cluster whose parent has a server address,
 * one root with a bundle endpoint address, and two EKS clusters sharing one network (no east-west link).
 */
export const FIVE_CLUSTERS = `
environment: five
clusters:
  - name: alpha
    provider: gke
    region: us-central1
    trustDomain: alpha.example
    cidr: 10.1.0.0/16
    bundleEndpoint: { address: 198.51.100.1 }
    serverEndpoint: { address: 198.51.100.2 }
  - name: alpha-east
    provider: gke
    region: us-east1
    nestedUnder: alpha
    cidr: 10.2.0.0/16
  - name: beta
    provider: gke
    region: us-central1
    trustDomain: beta.example
    cidr: 10.3.0.0/16
  - name: gamma
    provider: eks
    region: eu-west-1
    trustDomain: gamma.example
    network: aws-shared
    cidr: 10.4.0.0/16
    bundleEndpoint: { address: spire.gamma.example, port: 443 }
  - name: delta
    provider: eks
    region: us-west-2
    trustDomain: delta.example
    network: aws-shared
    cidr: 10.5.0.0/16
federation: full-mesh
`;
