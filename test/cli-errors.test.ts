/** Error messages never cut a path, and shorten long values only with a closed quote and an ellipsis. */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatValue, loadTopology } from '../clusters';
import { tempDirs } from './helpers/temp-dirs';

describe('values in error messages', () => {
  const tmp = tempDirs('meshfed-long-');

  it('keeps values up to 80 characters whole', () => {
    expect(formatValue('a'.repeat(78))).toBe(`"${'a'.repeat(78)}"`);
    expect(formatValue(undefined)).toBe('nothing');
  });

  it('shortens a long string with its quote closed, an ellipsis and its length', () => {
    expect(formatValue('x'.repeat(300))).toBe(`"${'x'.repeat(76)}"… (300 characters)`);
  });

  it('shortens a long list with any cut string closed, never inside an escape', () => {
    const list = formatValue(Array.from({ length: 20 }, (_, i) => `cluster-${i}`));
    expect(list).toBe('["cluster-0","cluster-1","cluster-2","cluster-3","cluster-4","cluster-5","clus"…');
    // JSON escapes U+0001 as \u0001 (6 characters); the cut at 78 falls inside the first one.
    expect(formatValue([`${'a'.repeat(74)}${'\u0001'.repeat(5)}`])).toBe(`["${'a'.repeat(74)}"…`);
  });

  it('names a root certificate file under a long directory in full', () => {
    const deep = join(tmp(), 'd'.repeat(120), 'e'.repeat(120));
    mkdirSync(deep, { recursive: true });
    const pem = join(deep, 'not-a-ca.pem');
    copyFileSync(join(__dirname, 'fixtures', 'not-a-ca.pem'), pem);
    const text = `environment: e
clusters:
  - name: a
    provider: gke
    region: us-central1
    trustDomain: a.org
    cidr: 10.1.0.0/16
    rootCa:
      certificateFile: ${pem}
`;
    expect(() => loadTopology(text, 'e.yaml')).toThrow(`e.yaml:9: clusters[0].rootCa.certificateFile: ${JSON.stringify(pem)} certificate 1 (CN=leaf) is not a CA certificate`);
  });
});
