export * from './types';
export * from './spire';
export * from './istio';
export * from './providers';
import { ISTIO_IMAGE_FACTS } from './istio';
import { SPIRE_IMAGE_FACTS } from './spire';
import type { ImageFacts } from './types';

/** One table: every pinned image meshfed renders or configures. */
export const IMAGE_FACTS: readonly ImageFacts[] = [...SPIRE_IMAGE_FACTS, ...ISTIO_IMAGE_FACTS];

/** Facts of a `repository:tag` image reference, or undefined when the table has none. */
export function imageFacts(image: string): ImageFacts | undefined {
  const at = image.lastIndexOf(':');
  const repository = at > image.lastIndexOf('/') ? image.slice(0, at) : image;
  const tag = at > image.lastIndexOf('/') ? image.slice(at + 1) : 'latest';
  return IMAGE_FACTS.find((f) => f.repository === repository && f.tag === tag);
}
