/**
 * A unified line diff (the `diff -u` format) over a longest common subsequence of lines. The common
 * head and tail are cut off first, so a small change in a large manifest costs little; a middle too large
 * for the LCS table is shown as one replaced block (still a correct diff, only not a minimal one).
 */

/** Above this many cells (old lines x new lines of the differing middle) the middle is one replaced block. */
const MAX_TABLE_CELLS = 16_000_000;
const CONTEXT = 3;

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script from `a` to `b`: every line of both, kept (' '), removed ('-') or added ('+'). */
export function lineEdits(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const ops: Op[] = a.slice(0, head).map((line) => ({ kind: ' ', line }));
  if ((midA.length + 1) * (midB.length + 1) > MAX_TABLE_CELLS) {
    ops.push(...midA.map((line): Op => ({ kind: '-', line })), ...midB.map((line): Op => ({ kind: '+', line })));
  } else {
    // lcs[i][j]: length of the LCS of midA[i..] and midB[j..], in one flat table.
    const width = midB.length + 1;
    const lcs = new Uint32Array((midA.length + 1) * width);
    for (let i = midA.length - 1; i >= 0; i--) {
      for (let j = midB.length - 1; j >= 0; j--) {
        lcs[i * width + j] = midA[i] === midB[j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < midA.length || j < midB.length) {
      if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
        ops.push({ kind: ' ', line: midA[i++] });
        j++;
      } else if (j < midB.length && (i === midA.length || lcs[i * width + j + 1] >= lcs[(i + 1) * width + j])) {
        ops.push({ kind: '+', line: midB[j++] });
      } else {
        ops.push({ kind: '-', line: midA[i++] });
      }
    }
    // diff -u lists a block's removed lines before its added ones.
    for (let k = 0; k < ops.length; k++) {
      let end = k;
      while (end < ops.length && ops[end].kind !== ' ') end++;
      if (end > k) {
        const block = ops.slice(k, end);
        ops.splice(k, end - k, ...block.filter((o) => o.kind === '-'), ...block.filter((o) => o.kind === '+'));
        k = end;
      }
    }
  }
  ops.push(...a.slice(a.length - tail).map((line): Op => ({ kind: ' ', line })));
  return ops;
}

/** A hunk side as diff -u writes it: an empty side by the line before it, a one-line side without its count. */
const range = (before: number, length: number): string => (length === 0 ? `${before},0` : length === 1 ? `${before + 1}` : `${before + 1},${length}`);

/** `--- a` / `+++ b` and `@@` hunks with three lines of context; '' when the texts are equal. */
export function unifiedDiff(before: string, after: string, beforeName: string, afterName: string): string {
  if (before === after) return '';
  const ops = lineEdits(splitLines(before), splitLines(after));
  const out = [`--- ${beforeName}`, `+++ ${afterName}`];
  const changed = ops.map((o, k) => (o.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  let k = 0;
  while (k < changed.length) {
    // A hunk spans changes whose context windows touch.
    let last = k;
    while (last + 1 < changed.length && changed[last + 1] - changed[last] <= 2 * CONTEXT + 1) last++;
    const start = Math.max(0, changed[k] - CONTEXT);
    const end = Math.min(ops.length, changed[last] + CONTEXT + 1);
    const aStart = ops.slice(0, start).filter((o) => o.kind !== '+').length;
    const bStart = ops.slice(0, start).filter((o) => o.kind !== '-').length;
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((o) => o.kind !== '+').length;
    const bLen = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${range(aStart, aLen)} +${range(bStart, bLen)} @@`);
    out.push(...hunk.map((o) => `${o.kind}${o.line}`));
    k = last + 1;
  }
  // Equal lines, different texts: only the newline at the end differs.
  if (changed.length === 0) out.push(`\\ ${before.endsWith('\n') ? beforeName : afterName} ends with a newline, the other does not`);
  return `${out.join('\n')}\n`;
}
