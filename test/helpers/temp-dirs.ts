/** Temporary directories a test file makes and removes again, passed or failed. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A maker of fresh directories `<os tmpdir>/<prefix>XXXXXX`; every one it made is removed (recursively)
 * after the tests of the enclosing describe block, or of the file when called at its top level. Jest runs
 * afterAll hooks when a test or a beforeAll hook fails, so a failing run leaves nothing behind either.
 * Call it while tests are being collected (top level or a describe body), not inside a test or hook.
 */
export function tempDirs(prefix: string): () => string {
  if (!/^[a-z0-9-]+-$/.test(prefix)) throw new Error(`tempDirs: prefix "${prefix}" must be lowercase letters, digits and '-', ending in '-'`);
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
