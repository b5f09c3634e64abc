/**
 * Issue #14: every relation between clusters is computed once per topology, not per cluster or peer.
 * Counts the builders on a 50-cluster federated full mesh (every root has an address and a root CA, so
 * all 50*49 relationships are rendered); without the caches these ran per cluster and per peer.
 */
import { loadTopologyFile } from '../clusters';
import { trustRelationsBuilder } from '../clusters/federation';
import { topologyIndexing } from '../clusters/model';
import { bundleKeyParsing } from '../constructs/spire/spiffe-bundle';
import { renderTopology } from '../synth/synthesize';
import { join } from 'node:path';
import { writeFullMeshTopology } from './bench/topology';
import { tempDirs } from './helpers/temp-dirs';

describe('relations computed once per topology (50 clusters)', () => {
  const dir = tempDirs('meshfed-relations-')();
  const topology = loadTopologyFile(writeFullMeshTopology(dir, 50));

  afterEach(() => jest.restoreAllMocks());

  it('builds the cluster index and the trust relations once per synth, and parses each root certificate once', () => {
    const index = jest.spyOn(topologyIndexing, 'build');
    const relations = jest.spyOn(trustRelationsBuilder, 'build');
    const parse = jest.spyOn(bundleKeyParsing, 'parse');
    const result = renderTopology(topology, join(dir, 'out'));
    expect(result.clusters).toHaveLength(50);
    // The relationships were rendered (so the counts below are about real work): 49 peers per cluster.
    expect(result.relations.discoveryPairs).toHaveLength(50 * 49);
    expect(index).toHaveBeenCalledTimes(1);
    expect(relations).toHaveBeenCalledTimes(1);
    // All roots share one certificate file here, and every PEM parsed before this test is cached: at most one parse.
    expect(parse.mock.calls.length).toBeLessThanOrEqual(1);
  });

  it('a new topology object gets its own relations', () => {
    const index = jest.spyOn(topologyIndexing, 'build');
    const other = { ...topology, clusters: topology.clusters.slice(0, 3), federation: 'none' as const };
    renderTopology(other, join(dir, 'other'));
    expect(index).toHaveBeenCalledTimes(1);
  });
});
