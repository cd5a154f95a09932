// The host's address on the Docker engine's default bridge: where a container (or a build that is
// not on the host network, like the product's own Build Image) reaches a server the tests run on
// the host, such as the local PyPI index.
import { execFileSync, spawnSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';

/** The bridge's host address; throws with the reason when it cannot be told (a remote engine). */
export function dockerBridgeAddress() {
  const net = JSON.parse(execFileSync('docker', ['network', 'inspect', 'bridge', '--format', '{{json .}}'], { encoding: 'utf8', timeout: 30_000 }));
  const ifname = net.Options?.['com.docker.network.bridge.name'];
  // A bridge with no container attached is DOWN, and Node may not list it: ask the kernel too.
  const fromNode = ifname ? networkInterfaces()[ifname]?.find((a) => a.family === 'IPv4')?.address : undefined;
  if (fromNode) return fromNode;
  if (ifname) {
    const ip = spawnSync('ip', ['-4', '-o', 'addr', 'show', 'dev', ifname], { encoding: 'utf8' });
    const m = /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(ip.stdout ?? '');
    if (m) return m[1];
  }
  const cfg = (net.IPAM?.Config ?? []).find((c) => c.Gateway || c.Subnet);
  if (cfg?.Gateway) return cfg.Gateway;
  // Docker gives the bridge the subnet's first host address.
  const sub = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cfg?.Subnet ?? '');
  if (sub) return `${sub[1]}.${sub[2]}.${sub[3]}.${Number(sub[4]) + 1}`;
  throw new Error(`cannot tell the host's address on the Docker bridge (${ifname ?? 'no bridge name'}): is the engine local?`);
}
