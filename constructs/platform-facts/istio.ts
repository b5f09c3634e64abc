/** Facts about the pinned Istio images and the images meshfed adds to Istio pods (ISTIO_WAIT_IMAGE, samples). */
import type { ImageFacts } from './types';

export const ISTIO_IMAGE_FACTS: readonly ImageFacts[] = [];
