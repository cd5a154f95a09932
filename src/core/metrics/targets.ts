// Where a running model server serves its metrics: the port and path by runtime, from the ports
// a container publishes. Plain data: the Model Metrics view and its tests share it.

export interface PublishedPortInfo {
  readonly containerPort: number;
  readonly hostPort: number | undefined;
  readonly hostIp?: string | undefined;
}

/** Container port → metrics path of the runtime that conventionally listens there. */
const RUNTIME_METRICS: ReadonlyMap<number, string> = new Map([
  [8002, '/metrics'], // Triton
  [8082, '/metrics'], // TorchServe metrics API
  [8501, '/monitoring/prometheus/metrics'], // TF Serving REST (with --monitoring_config_file)
]);

/** The metrics URL of a container from its published ports, or undefined when it publishes none. */
export function metricsUrl(ports: readonly PublishedPortInfo[]): string | undefined {
  const published = ports.filter((p) => p.hostPort !== undefined);
  const known = published.find((p) => RUNTIME_METRICS.has(p.containerPort));
  const port = known ?? published[0];
  if (!port || port.hostPort === undefined) return undefined;
  const host = !port.hostIp || port.hostIp === '0.0.0.0' || port.hostIp === '::' ? '127.0.0.1' : port.hostIp;
  const path = (known && RUNTIME_METRICS.get(known.containerPort)) ?? '/metrics';
  return `http://${host.includes(':') ? `[${host}]` : host}:${port.hostPort}${path}`;
}
