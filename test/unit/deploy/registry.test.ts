// Registry credentials as Docker finds them (user's config, helpers run as real processes),
// the push stream's digest, image references, and the registry client against a real HTTP server
// speaking the distribution API's token authentication.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { normalizeRegistryKey, registryAuthHeader, registryHostOf, resolveCredentials, runCredentialHelper } from '../../../src/docker/credentials';
import { PushOutputParser } from '../../../src/docker/push';
import { checkManifest, isLoopbackHost, parseChallenge, parseImageRef } from '../../../src/docker/registry';

describe('image references', () => {
  test('registry host as Docker resolves it', () => {
    assert.equal(registryHostOf('iris:0.1.0'), 'docker.io');
    assert.equal(registryHostOf('team/iris:0.1.0'), 'docker.io');
    assert.equal(registryHostOf('127.0.0.1:5000/iris:0.1.0'), '127.0.0.1:5000');
    assert.equal(registryHostOf('localhost/iris'), 'localhost');
    assert.equal(registryHostOf('ghcr.io/org/iris@sha256:' + 'a'.repeat(64)), 'ghcr.io');
  });
  test('parseImageRef', () => {
    assert.deepEqual(parseImageRef('redis'), { host: 'docker.io', repository: 'library/redis' });
    assert.deepEqual(parseImageRef('127.0.0.1:5000/ml/iris:0.1.0'), { host: '127.0.0.1:5000', repository: 'ml/iris', tag: '0.1.0' });
    const d = 'sha256:' + 'b'.repeat(64);
    assert.deepEqual(parseImageRef(`ghcr.io/o/m@${d}`), { host: 'ghcr.io', repository: 'o/m', digest: d });
    for (const bad of ['', 'UPPER/case', 'a b', 'x@sha256:short', 'x:bad tag', 'x/../y']) assert.equal(parseImageRef(bad), undefined, bad);
  });
  test('loopback hosts', () => {
    assert.ok(isLoopbackHost('127.0.0.1:5000'));
    assert.ok(isLoopbackHost('localhost:5000'));
    assert.ok(isLoopbackHost('[::1]:5000'));
    assert.ok(!isLoopbackHost('registry.example.com:5000'));
    assert.ok(!isLoopbackHost('127.example.com'));
  });
  test('auths keys normalize to hosts', () => {
    assert.equal(normalizeRegistryKey('https://index.docker.io/v1/'), 'docker.io');
    assert.equal(normalizeRegistryKey('http://127.0.0.1:5000'), '127.0.0.1:5000');
    assert.equal(normalizeRegistryKey('GHCR.io'), 'ghcr.io');
  });
});

describe('credentials from the Docker config', () => {
  let dir = '';
  let bin = '';
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'md-dockercfg-'));
    bin = mkdtempSync(path.join(tmpdir(), 'md-helpers-'));
    // Real helper programs, run as Docker would run them (`get`, host on stdin, JSON on stdout).
    writeFileSync(path.join(bin, 'docker-credential-mdtest'), '#!/bin/sh\nread host\nif [ "$host" = "reg.example.com" ]; then printf \'{"ServerURL":"%s","Username":"robot","Secret":"s3cret"}\' "$host"; elif [ "$host" = "tok.example.com" ]; then printf \'{"Username":"<token>","Secret":"refresh-tok"}\'; else echo "credentials not found in native keychain"; exit 1; fi\n');
    writeFileSync(path.join(bin, 'docker-credential-broken'), '#!/bin/sh\necho "dbus: no session" >&2\nexit 3\n');
    writeFileSync(path.join(bin, 'docker-credential-slow'), '#!/bin/sh\nsleep 30\n');
    for (const f of ['mdtest', 'broken', 'slow']) chmodSync(path.join(bin, `docker-credential-${f}`), 0o755);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  });

  const runner = (binary: string, host: string, ms: number) => runCredentialHelper(path.join(bin, binary), host, ms);

  test('auths: base64 user:password, identity tokens; none when absent', async () => {
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ auths: { 'http://127.0.0.1:5000': { auth: Buffer.from('alice:p@ss:word').toString('base64') }, 'https://index.docker.io/v1/': { identitytoken: 'idtok' } } }),
    );
    const a = await resolveCredentials('127.0.0.1:5000', { configDir: dir, runHelper: runner });
    assert.deepEqual(a, { host: '127.0.0.1:5000', source: 'auths', credentials: { username: 'alice', password: 'p@ss:word' } });
    const hub = await resolveCredentials('docker.io', { configDir: dir, runHelper: runner });
    assert.deepEqual(hub.credentials, { identityToken: 'idtok' });
    assert.deepEqual(await resolveCredentials('other:5000', { configDir: dir, runHelper: runner }), { host: 'other:5000', source: 'none' });
  });

  test('credHelpers before credsStore before auths; a helper\'s identity token; "not found" is no credentials', async () => {
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credHelpers: { 'reg.example.com': 'mdtest', 'tok.example.com': 'mdtest', 'bad.example.com': 'broken' }, credsStore: 'mdtest', auths: { 'nope.example.com': {} } }));
    const r = await resolveCredentials('reg.example.com', { configDir: dir, runHelper: runner });
    assert.deepEqual(r, { host: 'reg.example.com', source: 'credHelpers', helper: 'docker-credential-mdtest', credentials: { username: 'robot', password: 's3cret' } });
    assert.deepEqual((await resolveCredentials('tok.example.com', { configDir: dir, runHelper: runner })).credentials, { identityToken: 'refresh-tok' });
    const none = await resolveCredentials('nope.example.com', { configDir: dir, runHelper: runner });
    assert.equal(none.credentials, undefined);
    assert.equal(none.problem, undefined);
    const bad = await resolveCredentials('bad.example.com', { configDir: dir, runHelper: runner });
    assert.equal(bad.credentials, undefined);
    assert.match(bad.problem ?? '', /docker-credential-broken failed \(exit 3\): dbus: no session/);
    assert.doesNotMatch(JSON.stringify(bad), /s3cret/);
  });

  test('a helper name from the config is never a path or a shell word; a hanging helper is stopped', async () => {
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credHelpers: { 'a.example.com': '../../tmp/evil', 'b.example.com': 'x;touch /tmp/pwned', 'c.example.com': 'slow' } }));
    for (const host of ['a.example.com', 'b.example.com']) {
      const r = await resolveCredentials(host, { configDir: dir, runHelper: () => assert.fail('must not run') });
      assert.match(r.problem ?? '', /not a plain name/);
    }
    const t0 = Date.now();
    const slow = await resolveCredentials('c.example.com', { configDir: dir, runHelper: runner, timeoutMs: 300 });
    assert.ok(Date.now() - t0 < 5000, 'the deadline stops it');
    assert.match(slow.problem ?? '', /docker-credential-slow failed/);
  });

  test('a helper that is not installed, a broken config', async () => {
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ credsStore: 'not-installed-anywhere' }));
    const r = await resolveCredentials('x.example.com', { configDir: dir });
    assert.match(r.problem ?? '', /docker-credential-not-installed-anywhere is not on PATH/);
    writeFileSync(path.join(dir, 'config.json'), '{"auths": ');
    assert.match((await resolveCredentials('x', { configDir: dir })).problem ?? '', /not valid JSON/);
  });

  test('X-Registry-Auth is base64url JSON; {} without credentials', () => {
    const decode = (s: string) => JSON.parse(Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as unknown;
    assert.deepEqual(decode(registryAuthHeader('r:5000', undefined)), {});
    assert.deepEqual(decode(registryAuthHeader('r:5000', { username: 'u', password: '??>>' })), { username: 'u', password: '??>>', serveraddress: 'r:5000' });
    assert.deepEqual(decode(registryAuthHeader('docker.io', { identityToken: 't' })), { identitytoken: 't', serveraddress: 'https://index.docker.io/v1/' });
    assert.doesNotMatch(registryAuthHeader('r', { username: 'u', password: '??>>??>>' }), /[+/]/);
  });
});

describe('push stream', () => {
  const digest = 'sha256:' + 'c'.repeat(64);
  test('progress, the digest from aux (chunks split anywhere), errors', () => {
    const lines = [
      { status: 'The push refers to repository [127.0.0.1:5000/iris]' },
      { status: 'Preparing', progressDetail: {}, id: 'e6aa1b3ff175' },
      { status: 'Pushing', progressDetail: { current: 512, total: 2048 }, progress: '[=>  ]', id: 'e6aa1b3ff175' },
      { status: 'Pushed', progressDetail: {}, id: 'e6aa1b3ff175' },
      { status: `0.1.0: digest: ${digest} size: 527` },
      { progressDetail: {}, aux: { Tag: '0.1.0', Digest: digest, Size: 527 } },
    ]
      .map((l) => JSON.stringify(l))
      .join('\r\n');
    const p = new PushOutputParser();
    const events = [];
    for (let i = 0; i < lines.length; i += 7) events.push(...p.push(lines.slice(i, i + 7)));
    events.push(...p.end());
    assert.equal(p.digest, digest);
    assert.equal(p.size, 527);
    assert.deepEqual(events.find((e) => e.type === 'progress'), { type: 'progress', layer: 'e6aa1b3ff175', current: 512, total: 2048 });
    assert.equal(p.error, undefined);
    const failed = new PushOutputParser();
    failed.push('{"status":"Preparing","id":"a"}\n{"errorDetail":{"message":"unauthorized: authentication required"},"error":"unauthorized: authentication required"}\n');
    assert.equal(failed.error, 'unauthorized: authentication required');
    assert.equal(failed.digest, undefined);
  });
  test('the status line alone carries the digest on engines without aux', () => {
    const p = new PushOutputParser();
    p.push(`{"status":"latest: digest: ${digest} size: 1"}\n`);
    assert.equal(p.digest, digest);
  });
  test('a line without an end is dropped, not kept', () => {
    const p = new PushOutputParser();
    p.push('x'.repeat(2 * 1024 * 1024));
    assert.deepEqual(p.end(), []);
  });
});

describe('registry client (a real HTTP server speaking the distribution API)', () => {
  let server: http.Server;
  let host = '';
  const digest = 'sha256:' + 'd'.repeat(64);
  const seen: { path: string; auth?: string }[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      seen.push({ path: req.url ?? '', ...(req.headers.authorization ? { auth: req.headers.authorization } : {}) });
      const url = new URL(req.url ?? '/', `http://${host}`);
      if (url.pathname === '/token') {
        const ok = req.headers.authorization === `Basic ${Buffer.from('robot:pw').toString('base64')}` && url.searchParams.get('scope') === 'repository:team/iris:pull' && url.searchParams.get('service') === 'test-registry';
        res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
        return res.end(ok ? JSON.stringify({ token: 'tkn' }) : '{}');
      }
      if (req.headers.authorization !== 'Bearer tkn') {
        res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${host}/token",service="test-registry",scope="repository:team/iris:pull"`, 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] }));
      }
      if (url.pathname === `/v2/team/iris/manifests/${digest}`) {
        res.writeHead(200, { 'Docker-Content-Digest': digest, 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json' });
        return res.end('{}');
      }
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  test('token auth with the user\'s credentials; the digest the registry serves', async () => {
    const r = await checkManifest(`${host}/team/iris@${digest}`, { credentials: { username: 'robot', password: 'pw' } });
    assert.equal(r.ok, true);
    assert.equal(r.ok && r.digest, digest);
    assert.ok(seen.some((s) => s.path.startsWith('/token?')), 'the token service was asked');
  });
  test('the registry\'s own error words: a missing manifest, missing credentials', async () => {
    const missing = await checkManifest(`${host}/team/iris:gone`, { credentials: { username: 'robot', password: 'pw' } });
    assert.deepEqual(missing.ok ? undefined : [missing.status, missing.code, missing.message], [404, 'MANIFEST_UNKNOWN', 'MANIFEST_UNKNOWN: manifest unknown']);
    const anon = await checkManifest(`${host}/team/iris@${digest}`);
    assert.deepEqual(anon.ok ? undefined : [anon.status, anon.code], [401, 'UNAUTHORIZED']);
  });
  test('an unreachable registry is said to be unreachable from here', async () => {
    const r = await checkManifest('127.0.0.1:1/x:1', { timeoutMs: 2000 });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.status === 0 && /could not be reached from this machine \(ECONNREFUSED\)/.test(r.message));
  });
  test('challenge parsing', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/redis:pull"'), {
      scheme: 'bearer',
      params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/redis:pull' },
    });
    assert.deepEqual(parseChallenge('Basic realm=registry'), { scheme: 'basic', params: { realm: 'registry' } });
    const t0 = performance.now();
    parseChallenge(`Bearer ${'a="'.repeat(50_000)}`);
    assert.ok(performance.now() - t0 < 500);
  });
});
