/** The unified line diff meshfed diff prints (the `diff -u` format). */
import { lineEdits, unifiedDiff } from '../synth/line-diff';

const lines = (n: number, prefix = 'line') => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`);

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
  });

  it('shows a changed line with three lines of context and diff -u line numbers', () => {
    const before = `${lines(10).join('\n')}\n`;
    const after = before.replace('line 5\n', 'line five\n');
    expect(unifiedDiff(before, after, 'a/f', 'b/f')).toBe(
      ['--- a/f', '+++ b/f', '@@ -2,7 +2,7 @@', ' line 2', ' line 3', ' line 4', '-line 5', '+line five', ' line 6', ' line 7', ' line 8', ''].join('\n'),
    );
  });

  it('makes separate hunks for changes more than six lines apart, and one hunk for closer ones', () => {
    const before = lines(30);
    const far = [...before];
    far[2] = 'x';
    far[25] = 'y';
    expect(unifiedDiff(`${before.join('\n')}\n`, `${far.join('\n')}\n`, 'a', 'b').match(/^@@ .* @@$/gm)).toEqual(['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@']);
    const near = [...before];
    near[2] = 'x';
    near[9] = 'y';
    expect(unifiedDiff(`${before.join('\n')}\n`, `${near.join('\n')}\n`, 'a', 'b').match(/^@@ .* @@$/gm)).toEqual(['@@ -1,13 +1,13 @@']);
  });

  it('numbers added and removed blocks at the file start and end like diff -u', () => {
    expect(unifiedDiff('', 'a\nb\n', 'x', 'y')).toBe('--- x\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('a\nb\n', 'a\n', 'x', 'y')).toBe('--- x\n+++ y\n@@ -1,2 +1 @@\n a\n-b\n');
  });

  it('says when only the final newline differs', () => {
    expect(unifiedDiff('a\n', 'a', 'x', 'y')).toBe('--- x\n+++ y\n\\ x ends with a newline, the other does not\n');
  });
});

describe('lineEdits', () => {
  it('keeps a longest common subsequence and lists each block\'s removals before its additions', () => {
    expect(lineEdits(['a', 'b', 'c', 'd'], ['a', 'x', 'c', 'y', 'd']).map((o) => `${o.kind}${o.line}`)).toEqual([' a', '-b', '+x', ' c', '+y', ' d']);
  });

  it('turns every line of both sides into an edit (reapplying the edits gives both texts)', () => {
    const a = ['k: 1', 'k: 2', 'k: 3', 'k: 2', 'k: 1'];
    const b = ['k: 2', 'k: 3', 'k: 9', 'k: 1', 'k: 2'];
    const ops = lineEdits(a, b);
    expect(ops.filter((o) => o.kind !== '+').map((o) => o.line)).toEqual(a);
    expect(ops.filter((o) => o.kind !== '-').map((o) => o.line)).toEqual(b);
    expect(ops.filter((o) => o.kind === ' ')).toHaveLength(3); // LCS length of a and b
  });
});
