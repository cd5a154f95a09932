import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { contextStoreId, discoverEngine, parseHost, type DiscoveryView } from '../../../src/docker/discovery';

function view(over: Partial<DiscoveryView> & { files?: Record<string, string>; sockets?: string[] } = {}): DiscoveryView {
  const files = over.files ?? {};
  const sockets = new Set(over.sockets ?? []);
  return {
    env: over.env ?? {},
    homeDir: over.homeDir ?? '/home/ana',
    platform: over.platform ?? 'linux',
    uid: over.uid ?? 1000,
    exists: (p) => sockets.has(p) || p in files,
    readFile: (p) => files[p],
  };
}

describe('engine discovery', () => {
  test('the docker CLI stores contexts under sha256(name)', () => {
    assert.equal(contextStoreId('default'), '37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f');
  });

  test('default socket when present', () => {
    const d = discoverEngine(view({ sockets: ['/var/run/docker.sock'] }));
    assert.deepEqual(d.endpoint, { kind: 'unix', socketPath: '/var/run/docker.sock' });
    assert.equal(d.source, 'default-socket');
    assert.equal(d.address, 'unix:///var/run/docker.sock');
  });

  test('rootless socket under XDG_RUNTIME_DIR, then Podman', () => {
    const rootless = discoverEngine(view({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, sockets: ['/run/user/1000/docker.sock'] }));
    assert.equal(rootless.source, 'rootless-socket');
    assert.equal(rootless.address, 'unix:///run/user/1000/docker.sock');
    const podman = discoverEngine(view({ env: { XDG_RUNTIME_DIR: '/run/user/1000' }, sockets: ['/run/user/1000/podman/podman.sock'] }));
    assert.equal(podman.source, 'podman-socket');
    assert.equal(podman.flavour, 'podman');
    // Without XDG_RUNTIME_DIR the conventional /run/user/<uid> is used.
    const noXdg = discoverEngine(view({ uid: 1234, sockets: ['/run/user/1234/docker.sock'] }));
    assert.equal(noXdg.source, 'rootless-socket');
  });

  test('Docker Desktop socket in the home folder', () => {
    const d = discoverEngine(view({ sockets: ['/home/ana/.docker/run/docker.sock'] }));
    assert.equal(d.source, 'docker-desktop-socket');
  });

  test('nothing found: falls back to the default path with notes', () => {
    const d = discoverEngine(view());
    assert.equal(d.address, 'unix:///var/run/docker.sock');
    assert.ok(d.notes.some((n) => n.includes('does not exist')));
  });

  test('DOCKER_HOST unix, tcp, tcp with TLS, ssh', () => {
    assert.deepEqual(discoverEngine(view({ env: { DOCKER_HOST: 'unix:///tmp/d.sock' } })).endpoint, { kind: 'unix', socketPath: '/tmp/d.sock' });
    const tcp = discoverEngine(view({ env: { DOCKER_HOST: 'tcp://10.0.0.5:2375' } }));
    assert.deepEqual(tcp.endpoint, { kind: 'tcp', host: '10.0.0.5', port: 2375 });
    assert.equal(tcp.source, 'DOCKER_HOST');
    const tls = discoverEngine(view({ env: { DOCKER_HOST: 'tcp://docker.example:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' } }));
    assert.deepEqual(tls.endpoint, { kind: 'tcp', host: 'docker.example', port: 2376, tls: { caPath: '/certs/ca.pem', certPath: '/certs/cert.pem', keyPath: '/certs/key.pem', verify: true } });
    assert.equal(tls.address, 'https://docker.example:2376');
    // DOCKER_TLS_VERIFY without DOCKER_CERT_PATH uses ~/.docker, like the CLI.
    const tlsHome = discoverEngine(view({ env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1' } }));
    assert.equal(tlsHome.endpoint.kind === 'tcp' ? tlsHome.endpoint.tls?.caPath : '', '/home/ana/.docker/ca.pem');
    const ssh = discoverEngine(view({ env: { DOCKER_HOST: 'ssh://me@gpu-box:2222' } }));
    assert.deepEqual(ssh.endpoint, { kind: 'ssh', host: 'gpu-box', port: 2222, username: 'me' });
    assert.equal(ssh.address, 'ssh://me@gpu-box:2222');
  });

  test('DOCKER_HOST wins over the context; the setting wins over both', () => {
    const files = { '/home/ana/.docker/config.json': JSON.stringify({ currentContext: 'remote' }) };
    assert.equal(discoverEngine(view({ env: { DOCKER_HOST: 'tcp://a:1' }, files })).source, 'DOCKER_HOST');
    const s = discoverEngine(view({ env: { DOCKER_HOST: 'tcp://a:1' }, files }), { hostSetting: 'unix:///custom.sock' });
    assert.equal(s.source, 'setting');
    assert.equal(s.address, 'unix:///custom.sock');
    assert.equal(discoverEngine(view(), { hostSetting: '/plain/path.sock' }).address, 'unix:///plain/path.sock');
  });

  test('current docker context from config.json and the context store, with TLS material', () => {
    const id = contextStoreId('remote');
    const files: Record<string, string> = {
      '/home/ana/.docker/config.json': JSON.stringify({ currentContext: 'remote', auths: {} }),
      [`/home/ana/.docker/contexts/meta/${id}/meta.json`]: JSON.stringify({ Name: 'remote', Endpoints: { docker: { Host: 'tcp://build.example:2376', SkipTLSVerify: false } } }),
      [`/home/ana/.docker/contexts/tls/${id}/docker/ca.pem`]: 'CA',
    };
    const d = discoverEngine(view({ files, sockets: ['/var/run/docker.sock'] }));
    assert.equal(d.source, 'docker-context');
    assert.equal(d.contextName, 'remote');
    assert.deepEqual(d.endpoint, {
      kind: 'tcp',
      host: 'build.example',
      port: 2376,
      tls: { caPath: `/home/ana/.docker/contexts/tls/${id}/docker/ca.pem`, certPath: `/home/ana/.docker/contexts/tls/${id}/docker/cert.pem`, keyPath: `/home/ana/.docker/contexts/tls/${id}/docker/key.pem`, verify: true },
    });
  });

  test('DOCKER_CONTEXT overrides currentContext; "default" and broken contexts fall through to sockets', () => {
    const id = contextStoreId('desk');
    const files: Record<string, string> = {
      '/home/ana/.docker/config.json': JSON.stringify({ currentContext: 'missing' }),
      [`/home/ana/.docker/contexts/meta/${id}/meta.json`]: JSON.stringify({ Endpoints: { docker: { Host: 'unix:///home/ana/.docker/desktop/docker.sock' } } }),
    };
    assert.equal(discoverEngine(view({ env: { DOCKER_CONTEXT: 'desk' }, files })).address, 'unix:///home/ana/.docker/desktop/docker.sock');
    const broken = discoverEngine(view({ files, sockets: ['/var/run/docker.sock'] }));
    assert.equal(broken.source, 'default-socket');
    assert.ok(broken.notes.some((n) => n.includes('"missing"')));
    assert.equal(discoverEngine(view({ env: { DOCKER_CONTEXT: 'default' }, sockets: ['/var/run/docker.sock'] })).source, 'default-socket');
  });

  test('a setting naming a context, and Windows named pipes', () => {
    const id = contextStoreId('lab');
    const files = { [`/home/ana/.docker/contexts/meta/${id}/meta.json`]: JSON.stringify({ Endpoints: { docker: { Host: 'ssh://lab' } } }) };
    const d = discoverEngine(view({ files }), { hostSetting: 'context:lab' });
    assert.deepEqual(d.endpoint, { kind: 'ssh', host: 'lab', port: 22 });
    assert.equal(d.contextName, 'lab');
    assert.deepEqual(discoverEngine(view({ platform: 'win32' })).endpoint, { kind: 'npipe', pipePath: '//./pipe/docker_engine' });
  });

  test('bad hosts are refused with a message', () => {
    assert.throws(() => parseHost('ftp://x'), /Unsupported Docker host scheme/);
    assert.throws(() => parseHost('unix://'), /no socket path/);
    assert.deepEqual(parseHost('localhost:2375'), { kind: 'tcp', host: 'localhost', port: 2375 });
  });
});
