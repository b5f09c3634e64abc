/**
 * Istio's sample workloads of one cluster (70-samples.yaml, applied after 65-istio-mesh.yaml: the
 * namespaces' injection label needs istiod's webhook to be running). helloworld v1 runs in the first
 * cluster of the topology, v2 in the second; every cluster, including any third or later one, gets the
 * helloworld Service (Istio routes a name only to clusters that define it) and sleep.
 */
import type { Chart } from 'cdk8s';
import type { ClusterSpec, Topology } from '../clusters/model';
import { sampleVersionsOf } from '../clusters/samples';
import { HelloworldSample, SleepSample } from '../constructs/istio/samples';

export const SAMPLES_CHART_FILES = {
  samples: '70-samples',
} as const;

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
  new HelloworldSample(samples, 'Helloworld', { versions: [...sampleVersionsOf(topology, cluster.name)] });
  new SleepSample(samples, 'Sleep');
}
