/**
 * The RUNBOOKs of every committed environment hold as written (issue #13, "Docs that hold"): each names the
 * directory to run it from and reads only files of that directory, its sections are numbered without gaps,
 * and the default environment's file says what it does and does not do, as synth renders it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopologyFile } from '../clusters';
import { renderTopology, type SynthResult } from '../synth/synthesize';

const CLUSTERS = join(__dirname, '..', 'clusters');
const environments: [string, SynthResult][] = readdirSync(CLUSTERS).filter((f) => f.endsWith('.yaml')).sort()
  .map((f) => [f, renderTopology(loadTopologyFile(join(CLUSTERS, f)), '/unused')]);

/** The lines of a Markdown text's ```sh blocks. */
const shellLines = (markdown: string): string[] => [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n').filter(Boolean));
const sectionNumbers = (markdown: string): number[] => markdown.split('\n').filter((l) => l.startsWith('## ')).map((l) => Number(/^## (\d+)\. /.exec(l)?.[1]));

describe('RUNBOOKs of every committed environment', () => {
  it('covers the committed environments', () => {
    expect(environments.map(([f]) => f)).toEqual(expect.arrayContaining(['dev.yaml', 'eks.yaml', 'mixed.yaml', 'staging.yaml']));
  });

  describe.each(environments)('%s', (_, result) => {
    it('each cluster RUNBOOK names its directory and its commands read only files of that directory', () => {
      for (const c of result.clusters) {
        const runbook = c.documents?.get('RUNBOOK.md') ?? '';
        expect(runbook).toContain(`Run every command from this directory (\`${c.cluster}/\` of the synth output, e.g. \`dist/${result.environment}/${c.cluster}\`)`);
        const read = shellLines(runbook).flatMap((l) => [...l.matchAll(/(?:^|\s)-f (\S+)/g)].map((m) => m[1])).filter((f) => f !== '-');
        expect(read.length).toBeGreaterThan(0);
        expect(read.filter((f) => !c.files.has(f))).toEqual([]);
      }
    });

    it('the environment RUNBOOK points at cluster RUNBOOKs that synth writes beside it', () => {
      const env = result.environmentFiles.get('RUNBOOK.md') ?? '';
      const pointed = [...env.matchAll(/`([a-z0-9-]+)\/RUNBOOK\.md`/g)].map((m) => m[1]);
      expect(pointed).toEqual(result.clusters.map((c) => c.cluster));
      // It only points; the commands are in the cluster RUNBOOKs, run from their directories.
      expect(shellLines(env)).toEqual([]);
    });

    it('numbers the sections of every RUNBOOK 1, 2, 3... without gaps', () => {
      for (const text of [result.environmentFiles.get('RUNBOOK.md') ?? '', ...result.clusters.map((c) => c.documents?.get('RUNBOOK.md') ?? '')]) {
        const numbers = sectionNumbers(text);
        expect(numbers.length).toBeGreaterThan(2);
        expect(numbers).toEqual(numbers.map((__, i) => i + 1));
      }
    });
  });
});

describe('clusters/dev.yaml says what the default environment does and does not do', () => {
  const header = readFileSync(join(CLUSTERS, 'dev.yaml'), 'utf8').split('\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2)).join(' ');
  const dev = environments.find(([f]) => f === 'dev.yaml')![1];

  it('renders no cross-cluster trust, as its header says (and not that the clusters are federated)', () => {
    expect(dev.relations.discoveryPairs).toEqual([]);
    expect(dev.clusters.map((c) => dev.relations.federatesWith(c.cluster))).toEqual([[], []]);
    expect(header).not.toMatch(/federated with each other/);
    expect(header).toContain('no federation relationship is rendered');
    expect(header).toMatch(/bundleEndpoint\.address[\s\S]*rootCa/);
    expect(header).toContain('each cluster answers only from its own helloworld version');
  });

  it('says what it does render, which the RUNBOOKs check', () => {
    expect(header).toMatch(/SPIRE/);
    const runbooks = dev.clusters.map((c) => c.documents?.get('RUNBOOK.md') ?? '');
    expect(runbooks[0]).toContain('Expect answers from helloworld-v1 when run in cluster-1.');
    expect(runbooks[1]).toContain('Expect answers from helloworld-v2 when run in cluster-2.');
    expect(runbooks.join('\n')).not.toMatch(/v1 and helloworld-v2|Remote secrets/);
  });
});
