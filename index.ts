/** meshfed's construct library (`meshfed`, also `meshfed/constructs`); the topology loader is `meshfed/clusters`. */
export * from './constructs';
