/** `meshfed/core`: what every concern shares: names, namespaces, pinned versions, workload defaults, the props error. */
export * from './critical-pods-quota';
export * from './names';
export * from './namespaces';
export * from './props-error';
export * from './versions';
export * from './workload-defaults';
