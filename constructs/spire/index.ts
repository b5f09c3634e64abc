/** `meshfed/spire`: SPIRE server and agent, SPIFFE CSI driver, controller manager, OIDC discovery, federation, nesting. */
export * from './agent';
export * from './cloud-identity';
export * from './agent-config';
export * from './controller-manager';
export * from './csi-driver';
export * from './datastore';
export * from './federation';
export * from './key-manager';
export * from './nested';
export * from './oidc-discovery-provider';
export * from './server';
export * from './server-config';
export * from './spiffe-bundle';
export * from './upstream-authority';
export * from './workload-identity';
