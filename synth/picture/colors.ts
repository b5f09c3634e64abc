/** Link colours shared by the SVG and the Mermaid source, so both pictures read the same. */
import type { PictureEdgeKind } from './model';

export const EDGE_COLORS: Readonly<Record<PictureEdgeKind, string>> = { federation: '#3949ab', nesting: '#8e24aa', eastwest: '#00897b' };
