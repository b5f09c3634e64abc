/** `meshfed/cert-manager`: the trust domain's root CA chain in cert-manager (signs SPIRE's server CA). */
export * from './ca';
