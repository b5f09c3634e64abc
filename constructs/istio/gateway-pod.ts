/**
 * Pod-level pieces of meshfed's Istio gateways shared by both renderings: the SPIRE Workload API socket
 * volume, the init container that holds the gateway until the socket exists (istio-agent checks for the
 * socket once at start and, with WORKLOAD_IDENTITY_SOCKET_FILE set, exits when it is missing), security
 * contexts, anti-affinity and zone spread.
 */
import { CSI_DRIVER_NAME, PATHS } from '../core/names';
import {
  type GatewayModel, type IstioModel, ISTIO_PROXY_UID, WORKLOAD_SOCKET_DIR, WORKLOAD_SOCKET_VOLUME,
} from './model';
import { ISTIO_WAIT_IMAGE } from '../core/versions';

export const WAIT_FOR_SOCKET_CONTAINER = 'wait-for-spire-socket';
/** Injection template for gateway pods installed with the `gateway` Helm chart (it has no init container values). */
export const SPIRE_GATEWAY_TEMPLATE = 'spire-gateway';
/** `inject.istio.io/templates` of Helm-installed gateways: Istio's gateway template, then meshfed's additions. */
export const GATEWAY_INJECTION_TEMPLATES = `gateway,${SPIRE_GATEWAY_TEMPLATE}`;

/**
 * The pod patch of the `spire-gateway` template, applied by the injector after Istio's `gateway` template
 * as a strategic merge patch. That template already mounts a `workload-socket` volume into istio-proxy (at
 * /var/run/secrets/workload-spiffe-uds), declared as `emptyDir:` with a null value (no source; 1.30.3
 * gateway-injection-template.yaml), so this patch gives it the CSI source; `emptyDir: null` (delete) keeps
 * it single-sourced should a release give it a real emptyDir (a volume with two sources is rejected). Plus the wait container, as the IstioOperator's overlays add for istioctl-installed gateways.
 */
export function spireGatewayTemplatePatch(): Record<string, unknown> {
  return {
    spec: {
      initContainers: [waitForSocketContainer()],
      volumes: [{ ...socketVolume(), emptyDir: null }],
    },
  };
}

/** Custom injection templates (name -> YAML text) both renderings give istiod's injector. */
export function injectionTemplates(model: IstioModel): Record<string, string> {
  return {
    spire: model.spireTemplate,
    // JSON is valid YAML, and has no `{{` for the injector's Go templating to trip on.
    [SPIRE_GATEWAY_TEMPLATE]: `${JSON.stringify(spireGatewayTemplatePatch(), null, 2)}\n`,
  };
}

export function socketVolume(): Record<string, unknown> {
  return { name: WORKLOAD_SOCKET_VOLUME, csi: { driver: CSI_DRIVER_NAME, readOnly: true } };
}

export function socketVolumeMount(): Record<string, unknown> {
  return { name: WORKLOAD_SOCKET_VOLUME, mountPath: WORKLOAD_SOCKET_DIR, readOnly: true };
}

/** The Service fields that restrict and pin a gateway's load balancer (clusters/exposure.ts). */
export function gatewayServiceSpec(gw: GatewayModel): Record<string, unknown> {
  return {
    ...(gw.exposure.pinnedIp !== undefined ? { loadBalancerIP: gw.exposure.pinnedIp } : {}),
    ...(gw.exposure.sourceRanges.length > 0 ? { loadBalancerSourceRanges: [...gw.exposure.sourceRanges] } : {}),
  };
}

export function gatewayContainerSecurityContext(): Record<string, unknown> {
  return {
    runAsUser: ISTIO_PROXY_UID,
    runAsGroup: ISTIO_PROXY_UID,
    runAsNonRoot: true,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Gateways listen on unprivileged ports (8080/8443/15443), so no sysctl and no root are needed. */
export function gatewayPodSecurityContext(): Record<string, unknown> {
  return {
    runAsUser: ISTIO_PROXY_UID,
    runAsGroup: ISTIO_PROXY_UID,
    runAsNonRoot: true,
    fsGroup: ISTIO_PROXY_UID,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function waitForSocketContainer(): Record<string, unknown> {
  const socket = `${WORKLOAD_SOCKET_DIR}/${PATHS.agentSocketName}`;
  return {
    name: WAIT_FOR_SOCKET_CONTAINER,
    image: ISTIO_WAIT_IMAGE,
    command: ['sh', '-c', `until [ -S ${socket} ]; do echo "waiting for ${socket}"; sleep 2; done`],
    volumeMounts: [socketVolumeMount()],
    securityContext: gatewayContainerSecurityContext(),
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
  };
}

/** Spread replicas over nodes (preferred, so a small node pool still schedules them). */
export function gatewayAffinity(gateway: GatewayModel): Record<string, unknown> {
  return spreadAffinity({ istio: gateway.labels.istio });
}

/** Preferred anti-affinity on the node for pods matching `matchLabels`. */
export function spreadAffinity(matchLabels: Readonly<Record<string, string>>): Record<string, unknown> {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{
        weight: 100,
        podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { ...matchLabels } } },
      }],
    },
  };
}

/**
 * Spread replicas over zones (ScheduleAnyway: a single-zone cluster still schedules them), so a zone outage
 * leaves replicas running.
 */
export function zoneSpread(matchLabels: Readonly<Record<string, string>>): Record<string, unknown>[] {
  return [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...matchLabels } } }];
}

/** istiod's pod labels the chart sets (istio-discovery templates/deployment.yaml: `app: istiod`, `istio: pilot`). */
export const ISTIOD_POD_LABELS: Readonly<Record<string, string>> = { app: 'istiod', istio: 'pilot' };
