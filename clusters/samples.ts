/**
 * Where Istio's sample workloads run: a relation between clusters (the position of a cluster in the
 * topology), computed here so synth/ and the constructs take plain version lists.
 */
import { topologyIndex, type Topology } from './model';

/** A helloworld Deployment of Istio's sample (image helloworld-v1 or helloworld-v2). */
export type SampleVersion = 'v1' | 'v2';

/** v1 runs in the first cluster of the file, v2 in the second; later clusters get only the Service. */
const VERSION_BY_POSITION: readonly SampleVersion[] = ['v1', 'v2'];

/** The helloworld versions that run in `clusterName`: none when the topology turns samples off. */
export function sampleVersionsOf(topology: Topology, clusterName: string): readonly SampleVersion[] {
  if (!topology.samples) return [];
  const version = VERSION_BY_POSITION[topologyIndex(topology).positions.get(clusterName) ?? -1];
  return version === undefined ? [] : [version];
}
