/** meshfed's construct library (`meshfed`, also `meshfed/constructs`): every concern's entry point in one. */
export * from './core';
export * from './spire';
export * from './cert-manager';
export * from './registrar';
export * from './istio';
