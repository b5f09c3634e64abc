/** `meshfed/registrar`: SPIRE's legacy k8s-workload-registrar (an alternative to the controller manager) and its config. */
export * from './config';
export * from './registrar';
