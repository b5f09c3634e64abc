/**
 * Applies a LoadBalancerExposure (clusters/exposure.ts) to a Service meshfed renders for peers: source
 * ranges, internal scheme, pinned address. Only for type LoadBalancer; a note says when it stays open.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import { NLB_ADDRESS_ANNOTATIONS, nlbAddressPin, servedByLbController } from '../clusters/aws-subnets';
import type { LoadBalancerExposure } from '../clusters/exposure';
import { k8s } from 'cdk8s-plus-28';
import type { ClusterSpec } from '../clusters/model';
import { passthroughLoadBalancerAnnotations } from '../constructs/istio/model';
import type { SynthNote } from './cluster-manifests';

export interface ExposedService {
  readonly service: ApiObject;
  readonly serviceType: string;
  /** Topology key path of the endpoint, for notes, e.g. "clusters[0].bundleEndpoint". */
  readonly keyPath: string;
  /** What the load balancer serves, for notes. */
  readonly what: string;
}

export function applyExposure(cluster: ClusterSpec, target: ExposedService, exposure: LoadBalancerExposure, notes: SynthNote[]): void {
  if (target.serviceType !== 'LoadBalancer') return;
  const { service } = target;
  if (exposure.internal) {
    for (const [k, v] of Object.entries(passthroughLoadBalancerAnnotations(cluster.provider, true))) service.metadata.addAnnotation(k, v);
  }
  if (exposure.sourceRanges.length > 0) service.addJsonPatch(JsonPatch.add('/spec/loadBalancerSourceRanges', [...exposure.sourceRanges]));
  if (exposure.pinnedIp !== undefined) {
    // The generated KubeService re-maps its JSON through its TypeScript property names after patches
    // (toJson_ServiceSpec reads `loadBalancerIp`), so the patch must use that name there.
    service.addJsonPatch(JsonPatch.add(service instanceof k8s.KubeService ? '/spec/loadBalancerIp' : '/spec/loadBalancerIP', exposure.pinnedIp));
  }
  const annotations = (service.metadata.toJson() as { annotations?: Record<string, string> }).annotations ?? {};
  notes.push(...exposureNotes(cluster, target, exposure, annotations));
}

/**
 * Notes for what synth could not restrict or pin (shared with the east-west gateway, rendered by Istio).
 * @param annotations the Service's annotations: on eks they, not loadBalancerIP, pin the NLB's address
 */
export function exposureNotes(cluster: ClusterSpec, target: Pick<ExposedService, 'keyPath' | 'what'>, exposure: LoadBalancerExposure, annotations: Readonly<Record<string, string>> = {}): SynthNote[] {
  const notes: SynthNote[] = [];
  if (exposure.sourceRanges.length === 0 && exposure.consumers.length > 0) {
    notes.push({
      cluster: cluster.name,
      text: `${target.what} is open to every source: its consumers (${exposure.consumers.join(', ')}) reach it from outside this cluster's network, from egress addresses meshfed does not know. Set ${target.keyPath}.loadBalancerSourceRanges to their egress (NAT) ranges and re-synth.`,
    });
  }
  const ip = exposure.pinnedIp;
  if (ip !== undefined && cluster.provider === 'eks' && nlbAddressPin(annotations, ip) === 'none') {
    // Elastic IPs are for internet-facing NLBs only; an internal one (controller scheme or in-tree flag) takes private addresses.
    const internal = annotations[NLB_ADDRESS_ANNOTATIONS.scheme] === 'internal' || annotations['service.beta.kubernetes.io/aws-load-balancer-internal'] === 'true';
    // The address annotations belong to the AWS Load Balancer Controller, which serves only Services handed to it.
    const served = servedByLbController(annotations);
    const serve = served ? '' : `serve it with the AWS Load Balancer Controller (service.beta.kubernetes.io/aws-load-balancer-type: external, service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip, ${NLB_ADDRESS_ANNOTATIONS.scheme}: ${internal ? 'internal' : 'internet-facing'}) and `;
    const how = internal
      ? `${serve}list ${ip} first in the annotation ${NLB_ADDRESS_ANNOTATIONS.privateIpv4} (one private address per subnet of service.beta.kubernetes.io/aws-load-balancer-subnets)`
      : `${serve}allocate Elastic IPs and add the annotation ${NLB_ADDRESS_ANNOTATIONS.eipAllocations} (one allocation ID per subnet)`;
    notes.push({
      cluster: cluster.name,
      text: `${target.what}: AWS ignores loadBalancerIP, so ${ip} is not pinned by it; ${how} through ${target.keyPath}.annotations.`,
    });
  }
  return notes;
}
