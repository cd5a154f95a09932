import { GPUS_LABEL, MANAGED_LABEL, PROJECT_LABEL } from './runPlan';
import type { ContainerEvent, ContainerPort, EngineInfo, InspectedContainer, ManagedContainer } from './types';

/** Engine JSON is validated here, at the boundary: only fields ModelDock uses, with their types checked. */

export class EngineResponseError extends Error {
  constructor(what: string, detail: string) {
    super(`Unexpected ${what} from the Docker engine: ${detail}`);
    this.name = 'EngineResponseError';
  }
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strRecord = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (isRec(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
};

function req(obj: Rec, key: string, what: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new EngineResponseError(what, `field ${key} is ${v === undefined ? 'missing' : typeof v}`);
  return v;
}

export function parseInfo(info: unknown, version: unknown): EngineInfo {
  if (!isRec(info)) throw new EngineResponseError('/info', 'not an object');
  const ver = isRec(version) ? version : {};
  const runtimes = isRec(info.Runtimes) ? Object.keys(info.Runtimes) : [];
  const cdi = Array.isArray(info.CDISpecDirs) ? info.CDISpecDirs.filter((x): x is string => typeof x === 'string') : undefined;
  const devices = Array.isArray(info.DiscoveredDevices)
    ? info.DiscoveredDevices.filter(isRec).map((d) => ({ source: optStr(d.Source) ?? '', id: optStr(d.ID) ?? '' }))
    : undefined;
  return {
    serverVersion: req(info, 'ServerVersion', '/info'),
    apiVersion: optStr(ver.ApiVersion) ?? '',
    osType: optStr(info.OSType) ?? '',
    architecture: optStr(info.Architecture) ?? '',
    name: optStr(info.Name) ?? '',
    runtimes,
    defaultRuntime: optStr(info.DefaultRuntime),
    cdiSpecDirs: cdi,
    discoveredDevices: devices,
    builderVersion: undefined,
  };
}

function parsePortMap(ports: unknown): ContainerPort[] {
  // Inspect shape: { "8080/tcp": [{ HostIp, HostPort }] | null }
  const out: ContainerPort[] = [];
  if (!isRec(ports)) return out;
  for (const [key, bindings] of Object.entries(ports)) {
    const [portText, protocol = 'tcp'] = key.split('/');
    const containerPort = Number(portText);
    if (!Number.isFinite(containerPort)) continue;
    if (!Array.isArray(bindings) || bindings.length === 0) {
      out.push({ containerPort, hostPort: undefined, hostIp: undefined, protocol });
      continue;
    }
    for (const b of bindings.filter(isRec)) {
      const hp = Number(optStr(b.HostPort));
      out.push({ containerPort, hostPort: Number.isFinite(hp) && hp > 0 ? hp : undefined, hostIp: optStr(b.HostIp), protocol });
    }
  }
  return out;
}

export function parseInspect(json: unknown): InspectedContainer {
  if (!isRec(json)) throw new EngineResponseError('container inspect', 'not an object');
  const state = isRec(json.State) ? json.State : {};
  const config = isRec(json.Config) ? json.Config : {};
  const host = isRec(json.HostConfig) ? json.HostConfig : {};
  const net = isRec(json.NetworkSettings) ? json.NetworkSettings : {};
  const deviceRequests = Array.isArray(host.DeviceRequests)
    ? host.DeviceRequests.filter(isRec).map((d) => ({
        Driver: optStr(d.Driver) ?? '',
        Count: typeof d.Count === 'number' ? d.Count : 0,
        DeviceIDs: Array.isArray(d.DeviceIDs) ? d.DeviceIDs.filter((x): x is string => typeof x === 'string') : null,
        Capabilities: Array.isArray(d.Capabilities)
          ? d.Capabilities.filter(Array.isArray).map((c: unknown[]) => c.filter((x): x is string => typeof x === 'string'))
          : [],
      }))
    : [];
  const name = (optStr(json.Name) ?? '').replace(/^\//, '');
  // Running containers report bound ports in NetworkSettings; stopped ones only in HostConfig.
  const livePorts = parsePortMap(net.Ports);
  return {
    id: req(json, 'Id', 'container inspect'),
    name,
    running: state.Running === true,
    status: optStr(state.Status) ?? 'unknown',
    restartCount: typeof json.RestartCount === 'number' ? json.RestartCount : 0,
    tty: config.Tty === true,
    deviceRequests,
    shmSize: typeof host.ShmSize === 'number' ? host.ShmSize : undefined,
    ipcMode: optStr(host.IpcMode),
    labels: strRecord(config.Labels),
    ports: livePorts.some((p) => p.hostPort !== undefined) ? livePorts : parsePortMap(host.PortBindings),
  };
}

export function parseContainerList(json: unknown): ManagedContainer[] {
  if (!Array.isArray(json)) throw new EngineResponseError('container list', 'not an array');
  const out: ManagedContainer[] = [];
  for (const c of json) {
    if (!isRec(c) || typeof c.Id !== 'string') continue;
    const labels = strRecord(c.Labels);
    if (labels[MANAGED_LABEL] !== 'true') continue;
    const names = Array.isArray(c.Names) ? c.Names.filter((n): n is string => typeof n === 'string') : [];
    const ports: ContainerPort[] = Array.isArray(c.Ports)
      ? c.Ports.filter(isRec).map((p) => ({
          containerPort: typeof p.PrivatePort === 'number' ? p.PrivatePort : 0,
          hostPort: typeof p.PublicPort === 'number' ? p.PublicPort : undefined,
          hostIp: optStr(p.IP),
          protocol: optStr(p.Type) ?? 'tcp',
        }))
      : [];
    // The list reports IPv4 and IPv6 bindings separately; one entry per host port is enough.
    const seen = new Set<string>();
    const uniquePorts = ports.filter((p) => {
      const k = `${p.containerPort}/${p.protocol}/${p.hostPort ?? ''}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    out.push({
      id: c.Id,
      name: (names[0] ?? c.Id.slice(0, 12)).replace(/^\//, ''),
      image: optStr(c.Image) ?? '',
      state: optStr(c.State) ?? 'unknown',
      status: optStr(c.Status) ?? '',
      project: labels[PROJECT_LABEL],
      ports: uniquePorts,
      gpus: labels[GPUS_LABEL],
      created: typeof c.Created === 'number' ? c.Created : 0,
    });
  }
  return out;
}

export function parseEvent(json: unknown): ContainerEvent | undefined {
  if (!isRec(json)) return undefined;
  const actor = isRec(json.Actor) ? json.Actor : {};
  const attrs = strRecord(actor.Attributes);
  const id = optStr(actor.ID) ?? optStr(json.id);
  const action = optStr(json.Action) ?? optStr(json.status);
  if (!id || !action) return undefined;
  const timeNano = typeof json.timeNano === 'number' ? BigInt(Math.trunc(json.timeNano)) : typeof json.time === 'number' ? BigInt(json.time) * 1_000_000_000n : 0n;
  const { name, ...labels } = attrs;
  return { id, action, name, timeNano, labels };
}
