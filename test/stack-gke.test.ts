/** `pulumi up` on the dev stack with no kubeconfigs: the GCP network, GKE clusters, roots and addresses are created. */
import * as pulumi from '@pulumi/pulumi';
import { kubeconfigEndpoint } from '../infra/kubeconfig';
import { isSecretValue } from './helpers/pulumi-mocks';
import { fixturePem, objsOf, registrationsInsideApply, resolve, stackProgram, x5c } from './helpers/stack-run';

const PEM = { 'foo.com': fixturePem('foo.com'), 'bar.com': fixturePem('bar.com') };
const run = stackProgram('dev', { 'gcp:project': 'meshfed-test', 'meshfed:apiAccessCidrs': '["198.51.100.7/32"]' }, { state: { project: 'meshfed-test', rootPems: PEM }, remoteSecrets: 2 });
const objs = objsOf(run);

describe('dev stack, clusters created on GKE', () => {
  it('builds one VPC with a subnet per cluster: cidr as primary, pods and services as secondary ranges', () => {
    expect(run.ofType('gcp:compute/network:Network').map((n) => [n.name, n.inputs.autoCreateSubnetworks])).toEqual([['dev-net-vpc', false]]);
    const subnets = run.ofType('gcp:compute/subnetwork:Subnetwork').map((s) => [s.name, s.inputs.region, s.inputs.ipCidrRange, s.inputs.secondaryIpRanges, s.inputs.privateIpGoogleAccess]);
    expect(subnets.sort()).toEqual([
      ['cluster-1-subnet', 'us-central1', '10.10.0.0/16', [{ rangeName: 'pods', ipCidrRange: '10.255.0.0/16' }, { rangeName: 'services', ipCidrRange: '10.254.240.0/20' }], true],
      ['cluster-2-subnet', 'us-central1', '10.20.0.0/16', [{ rangeName: 'pods', ipCidrRange: '10.253.0.0/16' }, { rangeName: 'services', ipCidrRange: '10.254.224.0/20' }], true],
    ]);
    // One router and NAT per region, with a reserved egress address.
    expect(run.ofType('gcp:compute/routerNat:RouterNat').map((n) => [n.name, n.inputs.natIpAllocateOption, n.inputs.subnetworks.length])).toEqual([['dev-net-us-central1-nat', 'MANUAL_ONLY', 2]]);
  });

  it('opens only the mesh ports, from peers\' ranges, health checkers and the control plane; never 0.0.0.0/0', () => {
    const rules = run.ofType('gcp:compute/firewall:Firewall');
    expect(rules.map((r) => [r.name, r.inputs.allows, r.inputs.sourceRanges, r.inputs.targetTags]).sort()).toEqual([
      ['dev-net-cluster-1-bundle-endpoint', [{ protocol: 'tcp', ports: ['8443'] }], ['10.20.0.0/16', '10.253.0.0/16'], ['meshfed-dev-cluster-1']],
      ['dev-net-cluster-1-eastwest', [{ protocol: 'tcp', ports: ['15021', '15443'] }], ['10.20.0.0/16', '10.253.0.0/16', '130.211.0.0/22', '35.191.0.0/16'], ['meshfed-dev-cluster-1']],
      ['dev-net-cluster-1-webhooks', [{ protocol: 'tcp', ports: ['9443', '10250', '15017'] }], ['172.16.0.0/28'], ['meshfed-dev-cluster-1']],
      ['dev-net-cluster-2-bundle-endpoint', [{ protocol: 'tcp', ports: ['8443'] }], ['10.10.0.0/16', '10.255.0.0/16'], ['meshfed-dev-cluster-2']],
      ['dev-net-cluster-2-eastwest', [{ protocol: 'tcp', ports: ['15021', '15443'] }], ['10.10.0.0/16', '10.255.0.0/16', '130.211.0.0/22', '35.191.0.0/16'], ['meshfed-dev-cluster-2']],
      ['dev-net-cluster-2-webhooks', [{ protocol: 'tcp', ports: ['9443', '10250', '15017'] }], ['172.16.0.16/28'], ['meshfed-dev-cluster-2']],
    ]);
    for (const r of rules) expect(r.inputs.sourceRanges).not.toContain('0.0.0.0/0');
  });

  it('creates regional private GKE clusters with Workload Identity, shielded nodes and a dedicated node account', () => {
    const c = run.named('cluster-1');
    expect(c.type).toBe('gcp:container/cluster:Cluster');
    expect(c.inputs.location).toBe('us-central1');
    expect(c.inputs.workloadIdentityConfig).toEqual({ workloadPool: 'meshfed-test.svc.id.goog' });
    expect(c.inputs.enableShieldedNodes).toBe(true);
    expect(c.inputs.minMasterVersion).toBe('1.30');
    expect(c.inputs.releaseChannel).toEqual({ channel: 'REGULAR' });
    expect(c.inputs.privateClusterConfig).toEqual({ enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: '172.16.0.0/28', masterGlobalAccessConfig: { enabled: true } });
    expect(c.inputs.ipAllocationPolicy).toEqual({ clusterSecondaryRangeName: 'pods', servicesSecondaryRangeName: 'services' });
    // dev is dev-like: no deletion protection by default.
    expect(c.inputs.deletionProtection).toBe(false);
    // The deployer and the NAT egress of the peer istiod that reads this API.
    expect(c.inputs.masterAuthorizedNetworksConfig).toEqual({
      cidrBlocks: [
        { cidrBlock: '198.51.100.7/32', displayName: 'meshfed deployer' },
        { cidrBlock: expect.stringMatching(/^203\.0\.113\.\d+\/32$/), displayName: 'meshfed NAT us-central1' },
      ],
      gcpPublicCidrsAccessEnabled: false,
    });
    const email = 'dev-cluster-1-nodes@meshfed-test.iam.gserviceaccount.com';
    for (const n of [c.inputs.nodeConfig, run.named('cluster-1-pool').inputs.nodeConfig]) {
      expect(n.serviceAccount).toBe(email);
      expect(n.workloadMetadataConfig).toEqual({ mode: 'GKE_METADATA' });
      expect(n.shieldedInstanceConfig).toEqual({ enableSecureBoot: true, enableIntegrityMonitoring: true });
      expect(n.machineType).toBe('e2-standard-4');
    }
    expect(run.named('cluster-1-pool').inputs.autoscaling).toEqual({ minNodeCount: 3, maxNodeCount: 6 });
    const grants = run.ofType('gcp:projects/iAMMember:IAMMember').filter((g) => g.name.startsWith('cluster-1-nodes-'));
    expect(grants.map((g) => [g.inputs.role, g.inputs.member]).sort()).toEqual([
      ['roles/artifactregistry.reader', `serviceAccount:${email}`],
      ['roles/container.defaultNodeServiceAccount', `serviceAccount:${email}`],
    ]);
  });

  it('generates one root CA per trust domain and writes it as the CA Issuer\'s Secret before the Issuer', () => {
    const certs = run.ofType('tls:index/selfSignedCert:SelfSignedCert');
    expect(certs.map((c) => [c.name, c.inputs.subject.commonName, c.inputs.isCaCertificate, c.inputs.allowedUses, c.inputs.uris]).sort()).toEqual([
      ['cluster-1-root-ca-cert', 'foo.com root CA', true, ['cert_signing', 'crl_signing'], ['spiffe://foo.com']],
      ['cluster-2-root-ca-cert', 'bar.com root CA', true, ['cert_signing', 'crl_signing'], ['spiffe://bar.com']],
    ]);
    expect(run.ofType('tls:index/privateKey:PrivateKey').map((k) => [k.name, k.inputs.algorithm, k.inputs.ecdsaCurve]).sort()).toEqual([
      ['cluster-1-root-ca-key', 'ECDSA', 'P256'], ['cluster-2-root-ca-key', 'ECDSA', 'P256'],
    ]);
    // dev is dev-like: the root key material can go with the environment (prod protects it: stack-mesh3).
    for (const r of [...certs, ...run.ofType('tls:index/privateKey:PrivateKey')]) expect([r.name, r.protect, r.retainOnDelete]).toEqual([r.name, false, false]);
    const secret = run.named('cluster-1-spire-root-ca');
    expect([secret.inputs.metadata.namespace, secret.inputs.metadata.name, secret.inputs.type]).toEqual(['meshfed-ca', 'spire-root-ca', 'kubernetes.io/tls']);
    expect(secret.inputs.stringData['tls.crt']).toBe(PEM['foo.com']);
    expect(isSecretValue(secret.raw.stringData)).toBe(true);
    expect(run.named('cluster-1-10-cert-manager-ca').dependsOn).toContain('cluster-1-spire-root-ca');
    const issuer = objs('cluster-1-10-cert-manager-ca').find((o) => o.kind === 'Issuer' && o.metadata.name === 'spire-ca');
    expect(issuer.spec.ca.secretName).toBe('spire-root-ca');
    // cert-manager no longer generates the root itself.
    expect(objs('cluster-1-10-cert-manager-ca').filter((o) => o.kind === 'Certificate' && o.metadata.name === 'spire-root-ca')).toEqual([]);
  });

  it('federates each cluster with its peer through the reserved bundle endpoint address, with the peer\'s root as bootstrap bundle', () => {
    const address = (name: string) => run.named(name).inputs;
    expect(address('cluster-2-bundle-endpoint')).toMatchObject({ addressType: 'INTERNAL', region: 'us-central1' });
    const bundleService = objs('cluster-2-35-federation').find((o) => o.kind === 'Service' && o.metadata.name === 'spire-server-bundle-endpoint');
    const reserved = bundleService.spec.loadBalancerIP as string;
    expect(reserved).toMatch(/^10\.200\.\d+\.\d+$/);
    expect(bundleService.metadata.annotations).toEqual({ 'networking.gke.io/load-balancer-type': 'Internal', 'networking.gke.io/internal-load-balancer-allow-global-access': 'true' });
    const cftd = objs('cluster-1-35-federation').filter((o) => o.kind === 'ClusterFederatedTrustDomain');
    expect(cftd.map((o) => [o.spec.trustDomain, o.spec.bundleEndpointURL])).toEqual([['bar.com', `https://${reserved}:8443`]]);
    const bundle = JSON.parse(cftd[0].spec.trustDomainBundle);
    expect(bundle.keys[0].x5c[0]).toBe(x5c(PEM['bar.com']));
    // Workloads federate with the peer (its bundle is there from the start).
    const spiffeId = objs('cluster-1-40-workload-identity').find((o) => o.kind === 'ClusterSPIFFEID');
    expect(spiffeId.spec.federatesWith).toEqual(['bar.com']);
  });

  it('gives the east-west gateway its reserved address', () => {
    const ew = run.named('cluster-1-istio-istio-eastwestgateway').inputs.values.service;
    expect(ew.loadBalancerIP).toMatch(/^10\.200\.\d+\.\d+$/);
    expect(ew.annotations['networking.gke.io/load-balancer-type']).toBe('Internal');
    // An internal passthrough LB: the external backend-service annotation the model starts from is gone.
    expect(ew.annotations['cloud.google.com/l4-rbs']).toBeUndefined();
    expect(run.named('cluster-1-istio-istio-ingressgateway').inputs.values.service.loadBalancerIP).toBeUndefined();
  });

  it('deploys into each created cluster only after its node pool, with remote secrets from the created clusters\' endpoints', async () => {
    expect(run.named('cluster-1-k8s').dependsOn).toContain('cluster-1-pool');
    const secret = run.named('remote-secrets-cluster-1-istio-remote-secret-cluster-2');
    const endpoint = kubeconfigEndpoint('cluster-2', secret.inputs.stringData['cluster-2']);
    expect(endpoint.server).toMatch(/^https:\/\/198\.51\.100\.\d+$/);
  });

  it('enables the APIs a fresh project lacks, once, never disabling them on destroy, before the resources that call them', () => {
    const services = run.ofType('gcp:projects/service:Service');
    expect(services.map((s) => [s.name, s.inputs.project, s.inputs.service, s.inputs.disableOnDestroy, s.inputs.disableDependentServices]).sort()).toEqual([
      ['dev-api-compute', 'meshfed-test', 'compute.googleapis.com', false, false],
      ['dev-api-container', 'meshfed-test', 'container.googleapis.com', false, false],
      ['dev-api-iam', 'meshfed-test', 'iam.googleapis.com', false, false],
    ]);
    // Resources without a reference to another resource of that API wait for it explicitly.
    expect(run.named('dev-net-vpc').dependsOn).toContain('dev-api-compute');
    // (The NAT address shares its name with the RouterNat, which the recorder keeps; the reserved ones:)
    const reserved = run.ofType('gcp:compute/address:Address');
    expect(reserved.map((a) => a.name).sort()).toEqual(['cluster-1-bundle-endpoint', 'cluster-1-east-west-gateway', 'cluster-2-bundle-endpoint', 'cluster-2-east-west-gateway']);
    for (const a of reserved) expect(a.dependsOn).toContain('dev-api-compute');
    for (const c of ['cluster-1', 'cluster-2']) {
      expect(run.named(c).dependsOn).toContain('dev-api-container');
      expect(run.named(`${c}-nodes`).dependsOn).toContain('dev-api-iam');
    }
  });

  it('creates no database or private services access when no cluster asks for a managed datastore', () => {
    expect(run.all().filter((r) => r.type.startsWith('gcp:sql/') || r.type.startsWith('gcp:servicenetworking/') || r.type.startsWith('gcp:kms/'))).toEqual([]);
  });

  it('exports per-cluster outputs and the kubeconfigs only as a secret', async () => {
    expect(Object.keys(run.stack).sort()).toEqual(['clusters', 'environment', 'kubeconfigs', 'remoteSecrets']);
    const clusters = await resolve<any>(run.stack.clusters);
    expect(Object.keys(clusters)).toEqual(['cluster-1', 'cluster-2']);
    const bundleService = (c: string) => objs(`${c}-35-federation`).find((o) => o.kind === 'Service' && o.metadata.name === 'spire-server-bundle-endpoint').spec.loadBalancerIP;
    const eastWest = (c: string) => run.named(`${c}-istio-istio-eastwestgateway`).inputs.values.service.loadBalancerIP;
    for (const [c, td] of [['cluster-1', 'foo.com'], ['cluster-2', 'bar.com']] as const) {
      expect(clusters[c]).toEqual({
        trustDomain: td,
        apiEndpoint: expect.stringMatching(/^https:\/\/198\.51\.100\.\d+$/),
        eastWestAddress: eastWest(c),
        bundleEndpointUrl: `https://${bundleService(c)}:8443`,
        rootCaCert: PEM[td],
      });
      // The public values are plain outputs; nothing secret hides among them.
      for (const key of Object.keys(clusters[c])) expect([c, key, await pulumi.isSecret(pulumi.output(run.stack.clusters[c][key]))]).toEqual([c, key, false]);
    }
    expect(JSON.stringify(clusters)).not.toMatch(/PRIVATE KEY|token/i);
    expect(await pulumi.isSecret(run.stack.kubeconfigs)).toBe(true);
    expect(Object.keys(await resolve<any>(run.stack.kubeconfigs))).toEqual(['cluster-1', 'cluster-2']);
  });

  it('constructs no resource inside an Output\'s apply callback', () => {
    expect(registrationsInsideApply(run)).toEqual({ insideApply: [], untracked: [] });
    expect(run.registrations.length).toBeGreaterThan(50);
  });
});
