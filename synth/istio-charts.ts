/**
 * Istio charts of one cluster (see cluster-manifests.ts for the numbering): the IstioOperator for
 * istioctl, then the mesh objects that need Istio's CRDs, the reader side of endpoint discovery, and
 * notes for the remote secrets synth cannot create (they hold peers' credentials).
 */
import type { Chart } from 'cdk8s';
import type { TrustRelations } from '../clusters/federation';
import { istioClusterValues } from '../clusters/istio-values';
import { clusterIndex, type ClusterSpec, type Topology } from '../clusters/model';
import { CrossNetworkGateway } from '../constructs/istio/cross-network-gateway';
import { EASTWEST_GATEWAY, istioModel, type IstioModel } from '../constructs/istio/model';
import { IstioOperatorManifest } from '../constructs/istio/operator';
import { IstioReader, ISTIO_READER_SERVICE_ACCOUNT } from '../constructs/istio/reader';
import { remoteSecretName } from '../constructs/istio/remote-secret';
import { StrictMtls } from '../constructs/istio/strict-mtls';
import type { SynthNote } from './cluster-manifests';
import { exposureNotes } from './load-balancer-exposure';

export const ISTIO_CHART_FILES = {
  istioOperator: '60-istio-operator',
  istioMesh: '65-istio-mesh',
} as const;

/** Files that are read by a client tool, not applied to the cluster (kubectl / Pulumi must skip them). */
export const CLIENT_SIDE_FILES: ReadonlySet<string> = new Set([`${ISTIO_CHART_FILES.istioOperator}.yaml`]);

/** A comment put in front of a chart's YAML file. */
export const CHART_FILE_HEADERS: Readonly<Record<string, string>> = {
  [ISTIO_CHART_FILES.istioOperator]:
    '# Not for kubectl apply: IstioOperator is read by istioctl only (no such CRD in the cluster).\n'
    + '# Install with: istioctl install -y -f 60-istio-operator.yaml   (istioctl 1.30.3)\n',
};

export interface IstioChartsInput {
  readonly topology: Topology;
  /** trustRelations(topology), computed once by the caller. */
  readonly relations: TrustRelations;
  readonly cluster: ClusterSpec;
  readonly chart: (id: string) => Chart;
  readonly notes: SynthNote[];
}

export function addIstioCharts(input: IstioChartsInput): void {
  const { topology, relations, cluster, chart, notes } = input;
  const model: IstioModel = istioModel(istioClusterValues(topology, cluster.name, relations));

  new IstioOperatorManifest(chart(ISTIO_CHART_FILES.istioOperator), 'IstioOperator', { model });
  const eastWest = model.gateways.find((g) => g.name === EASTWEST_GATEWAY)!;
  notes.push(...exposureNotes(cluster, {
    keyPath: `clusters[${clusterIndex(topology, cluster.name)}].istio.eastWestGateway`, what: `Service istio-system/${EASTWEST_GATEWAY} (east-west gateway)`,
  }, eastWest.exposure, eastWest.serviceAnnotations));

  const mesh = chart(ISTIO_CHART_FILES.istioMesh);
  new CrossNetworkGateway(mesh, 'CrossNetworkGateway');
  new StrictMtls(mesh, 'StrictMtls');
  new IstioReader(mesh, 'Reader', { readConfigMaps: model.acceptance === 'caCertificates' });

  const discovered = relations.discoveredBy(cluster.name);
  const peers = discovered.map((p) => p.name);
  if (peers.length > 0) {
    const commands = discovered.map((peer) => `\`istioctl create-remote-secret --context=${peer.kubeContext} --name=${peer.name} --service-account=${ISTIO_READER_SERVICE_ACCOUNT} --create-service-account=false | kubectl apply --context=${cluster.kubeContext} -f -\``);
    notes.push({
      cluster: cluster.name,
      text: `create the remote secrets ${peers.map(remoteSecretName).join(', ')} in istio-system so istiod discovers its peers' endpoints (the Pulumi stack does this; by hand: ${commands.join('; ')})`,
    });
  }
}
