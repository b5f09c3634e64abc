/** clusters[].kubeContext: the context every RUNBOOK and NOTES command names (GKE and EKS name their contexts differently). */
import { loadTopology } from '../clusters';
import { problemsOf, synthTopologyText, twoClusters } from './helpers/synth';

// Default context names differ per cloud: `aws eks update-kubeconfig` names the context after the cluster ARN
// unless --alias is given (aws/aws-cli awscli/customizations/eks/update_kubeconfig.py, "alias ... Defaults to
// match cluster ARN"); `gcloud container clusters get-credentials` writes gke_<project>_<location>_<cluster>
// (gcloud's source is not published; the format as seen in `kubectl config get-contexts`).
const GKE_CONTEXT = 'gke_my-project_us-central1_cluster-1';
const EKS_CONTEXT = 'arn:aws:eks:eu-west-1:111122223333:cluster/cluster-2';

/** cluster-2 (EKS) nested under cluster-1 (GKE): one trust domain, so each discovers the other (remote secrets), and nested SPIRE notes. */
const withContexts = () =>
  twoClusters(`    kubeContext: ${GKE_CONTEXT}`)
    .replace(/provider: gke\n    region: us-central1\n    trustDomain: bar\.com\n    network: network2/, `provider: eks\n    region: eu-west-1\n    nestedUnder: cluster-1\n    network: network2\n    kubeContext: ${EKS_CONTEXT}`);

/** Every context a command names: kubectl/istioctl --context[= ]X and helm --kube-context=X. */
const contextsIn = (text: string) => [...text.matchAll(/--(?:kube-)?context[= ](\S+?)[`\s]/g)].map((m) => m[1]);

describe('kubeContext', () => {
  it('defaults to the cluster name', () => {
    const topology = loadTopology(twoClusters(), 'env.yaml');
    expect(topology.clusters.map((c) => c.kubeContext)).toEqual(['cluster-1', 'cluster-2']);
  });

  it('is used by every command of the RUNBOOKs and NOTES, for the cluster and for its peers', () => {
    const { result } = synthTopologyText(withContexts());
    expect(withContexts()).toContain('nestedUnder: cluster-1');
    for (const cluster of result.clusters) {
      const texts = [cluster.documents?.get('RUNBOOK.md') ?? '', ...result.notes.filter((n) => n.cluster === cluster.cluster).map((n) => n.text)];
      const contexts = texts.flatMap(contextsIn);
      expect(contexts.length).toBeGreaterThan(10);
      expect([...new Set(contexts)].sort()).toEqual([EKS_CONTEXT, GKE_CONTEXT].sort());
      expect(contexts.filter((c) => c !== GKE_CONTEXT && c !== EKS_CONTEXT)).toEqual([]);
    }
    const runbook = result.clusters[0].documents?.get('RUNBOOK.md') ?? '';
    expect(runbook).toContain(`Commands use the kube context \`${GKE_CONTEXT}\` (the topology's kubeContext of cluster-1).`);
    expect(runbook).toContain(`istioctl create-remote-secret --context=${EKS_CONTEXT} --name=cluster-2 `);
    expect(runbook).toContain(`helm --kube-context=${GKE_CONTEXT} upgrade --install cert-manager `);
  });

  it('leaves the output of a topology without kubeContext as it was (the cluster name, the same sentence)', () => {
    const { result } = synthTopologyText(twoClusters().replace('trustDomain: bar.com', 'nestedUnder: cluster-1'));
    const runbook = result.clusters[0].documents?.get('RUNBOOK.md') ?? '';
    expect(runbook).toContain('Commands use the kube context `cluster-1` (kube contexts are assumed to be named after the clusters).');
    expect(new Set(contextsIn(runbook))).toEqual(new Set(['cluster-1', 'cluster-2']));
  });

  it.each([
    ['an empty name', '""', '""'],
    ['whitespace', '"my context"', '"my context"'],
  ])('rejects %s with the field path and the rule', (_name, yaml, shown) => {
    expect(problemsOf(twoClusters(`    kubeContext: ${yaml}`))).toEqual([`env.yaml:9: clusters[0].kubeContext: ${shown} must be a kubeconfig context name: not empty, no whitespace`]);
  });
});
