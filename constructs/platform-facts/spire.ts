/** Facts about the pinned SPIRE images (constructs/versions.ts IMAGES and K8S_WORKLOAD_REGISTRAR_IMAGES). */
import type { ImageFacts } from './types';

export const SPIRE_IMAGE_FACTS: readonly ImageFacts[] = [];
