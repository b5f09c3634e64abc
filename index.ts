/**
 * meshfed's construct library (`meshfed`, also `meshfed/constructs`): every concern at once. Each concern is
 * also an entry point of its own (`meshfed/spire`, `meshfed/istio`, `meshfed/cert-manager`,
 * `meshfed/registrar`, `meshfed/core`); the topology loader is `meshfed/clusters`.
 */
export * from './constructs';
