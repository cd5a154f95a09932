import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DockerUserError, connectEngine, type DiscoveredEngine } from '../../../src/docker/index';

const at = (socketPath: string): DiscoveredEngine => ({ endpoint: { kind: 'unix', socketPath }, source: 'setting', address: `unix://${socketPath}`, flavour: 'docker', notes: [] });

const tmp = mkdtempSync(path.join(tmpdir(), 'md-sock-'));
chmodSync(tmp, 0o755);

describe('engine errors a person can act on (no dockerd needed)', () => {
  const servers: Server[] = [];
  after(() => {
    for (const s of servers) s.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('engine down: no socket at the address', async () => {
    const engine = await connectEngine({ discovered: at(path.join(tmp, 'missing.sock')) });
    try {
      await assert.rejects(engine.ping(), (err: unknown) => {
        assert.ok(err instanceof DockerUserError);
        assert.equal(err.kind, 'engine-down');
        assert.equal(err.message, `Cannot reach the Docker engine at unix://${path.join(tmp, 'missing.sock')}.`);
        assert.match(err.hint ?? '', /Start Docker Desktop/);
        assert.match(err.hint ?? '', /sudo systemctl start docker/);
        assert.match(err.hint ?? '', /dockerd/);
        return true;
      });
    } finally {
      engine.dispose();
    }
  });

  test('engine down: a leftover socket path nobody listens on (ECONNREFUSED)', async () => {
    // What a crashed daemon leaves behind: the path exists but nothing accepts connections.
    const sock = path.join(tmp, 'stale.sock');
    writeFileSync(sock, '');
    const engine = await connectEngine({ discovered: at(sock) });
    try {
      await assert.rejects(engine.ping(), (err: unknown) => {
        assert.ok(err instanceof DockerUserError);
        assert.equal(err.kind, 'engine-down');
        assert.equal((err.cause as { code?: string }).code, 'ECONNREFUSED');
        return true;
      });
    } finally {
      engine.dispose();
    }
  });

  test('permission denied on the socket: a real EACCES from an unprivileged user', async (t) => {
    const sock = path.join(tmp, 'denied.sock');
    const server = createServer((c) => c.end());
    servers.push(server);
    await new Promise<void>((r) => server.listen(sock, r));
    chmodSync(sock, 0o000);

    if (process.getuid?.() !== 0) {
      // Not root: this process gets EACCES itself.
      const engine = await connectEngine({ discovered: at(sock) });
      try {
        await assert.rejects(engine.ping(), (err: unknown) => err instanceof DockerUserError && err.kind === 'permission-denied');
      } finally {
        engine.dispose();
      }
      return;
    }
    // Root ignores file modes, so the connect runs as `nobody` through setpriv (no shell).
    if (!existsSync('/usr/bin/setpriv')) return t.skip('running as root and setpriv is not installed');
    const script = path.resolve(__dirname, '../../fixtures/docker/ping-socket.ts');
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', script, sock],
        { cwd: path.resolve(__dirname, '../../..'), timeout: 60_000, env: { ...process.env, HOME: tmp } },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      );
    });
    const result = JSON.parse(out) as { ok: boolean; uid?: number; kind?: string; message?: string; hint?: string; code?: string };
    assert.equal(result.uid, 65534);
    assert.equal(result.ok, false);
    assert.equal(result.code, 'EACCES', 'the operating system refused the connection');
    assert.equal(result.kind, 'permission-denied');
    assert.equal(result.message, `Permission denied on the Docker socket unix://${sock}.`);
    assert.match(result.hint ?? '', /sudo usermod -aG docker \$USER/);
    assert.match(result.hint ?? '', /log out and in again/);
  });
});
