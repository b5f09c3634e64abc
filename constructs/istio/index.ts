/**
 * `meshfed/istio`: the Istio model of one cluster and its renderings (IstioOperator, Helm values), the
 * istio-system namespace, east-west Gateway, reader RBAC, remote secrets, strict mTLS, samples.
 * api-paths.ts and gateway-pod.ts are internals of the renderings.
 */
export * from './cross-network-gateway';
export * from './helm-values';
export * from './istiod-ca';
export * from './model';
export * from './namespace';
export * from './operator';
export * from './reader';
export * from './remote-secret';
export * from './samples';
export * from './strict-mtls';
