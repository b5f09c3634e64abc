/**
 * Text width without a font engine: the SVG is laid out in Node, where no font metrics exist. Widths are
 * Helvetica's advance widths (Arial and Liberation Sans share them), scaled up so the wider DejaVu Sans
 * fallback still fits its box. Boxes are a little roomy in Arial; text never overflows in either.
 */

// Advance widths in 1/1000 em for ASCII 32..126 (Helvetica AFM, regular weight).
const WIDTHS = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space .. /
  556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 .. ?
  1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ .. O
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P .. _
  333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` .. o
  556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p .. ~
];
const OTHER = 1000;
/** DejaVu Sans is about 10% wider than Helvetica; bold about 8% wider than regular. */
const FALLBACK_SCALE = 1.12;
const BOLD_SCALE = 1.08;

export function textWidth(text: string, fontSize: number, bold = false): number {
  let units = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    units += code >= 32 && code <= 126 ? WIDTHS[code - 32] : OTHER;
  }
  return (units / 1000) * fontSize * FALLBACK_SCALE * (bold ? BOLD_SCALE : 1);
}
