/** Facts about GKE and EKS that change what meshfed may render for them. */
import type { ProviderFact } from './types';

export const PROVIDER_FACTS: readonly ProviderFact[] = [];
