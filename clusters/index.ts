export * from './cidr';
export * from './load';
export * from './model';
export * from './problems';
export * from './schema';
export * from './trust-domain';
