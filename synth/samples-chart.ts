/**
 * Istio's sample workloads of one cluster (70-samples.yaml, applied after 65-istio-mesh.yaml: the
 * namespaces' injection label needs istiod's webhook to be running). helloworld v1 runs in the first
 * cluster of the topology, v2 in the second; every cluster, including any third or later one, gets the
 * helloworld Service (Istio routes a name only to clusters that define it) and sleep.
 */
import type { Chart } from 'cdk8s';
import { topologyIndex, type ClusterSpec, type Topology } from '../clusters/model';
import { HELLOWORLD_VERSIONS, HelloworldSample, SleepSample, type HelloworldVersion } from '../constructs/istio/samples';

export const SAMPLES_CHART_FILES = {
  samples: '70-samples',
} as const;

/** The helloworld versions that run in `cluster`: v1 in the first cluster, v2 in the second, none elsewhere. */
export function helloworldVersionsFor(topology: Topology, cluster: ClusterSpec): HelloworldVersion[] {
  const version = HELLOWORLD_VERSIONS[topologyIndex(topology).positions.get(cluster.name) ?? -1];
  return version === undefined ? [] : [version];
}

export interface SamplesChartInput {
  readonly topology: Topology;
  readonly cluster: ClusterSpec;
  readonly chart: (id: string) => Chart;
}

/** Adds 70-samples unless the topology turns samples off (`samples: false`). */
export function addSamplesChart(input: SamplesChartInput): void {
  const { topology, cluster, chart } = input;
  if (!topology.samples) return;
  const samples = chart(SAMPLES_CHART_FILES.samples);
  new HelloworldSample(samples, 'Helloworld', { versions: helloworldVersionsFor(topology, cluster) });
  new SleepSample(samples, 'Sleep');
}
