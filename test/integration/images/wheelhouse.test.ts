// The parts the image tests stand on: the pinned wheelhouse covers every fixture, its wheels fit
// the bare base image's pip, the local index speaks PEP 503, and pip in a build on the host
// network installs from it and from nowhere else.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { PYTHON_SLIM_IMAGE, RECIPE_LABEL, ensurePythonSlim, exec } from '../../../scripts/lib/base-images.mjs';
import { LOCK_DIR, TARGET, ensureWheelhouse, normalizeName, parseLock, serveWheelhouse, type WheelIndex, type Wheelhouse } from '../../../scripts/lib/wheelhouse.mjs';
import { SKIP_NO_DOCKER, ensureDockerd } from '../helpers/docker';
import { FIXTURES, REPO } from './harness';

function get(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { timeout: 10_000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

function pinsOf(file: string): { name: string; version: string }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter((l) => l && !l.startsWith('-'))
    .map((l) => {
      const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;]+)/.exec(l);
      assert.ok(m, `${path.relative(REPO, file)}: '${l}' is not pinned (name==version): the image tests install exactly the wheelhouse's versions`);
      return { name: normalizeName(m[1]!), version: m[2]! };
    });
}

describe('test wheelhouse and local package index', () => {
  test('every fixture pins versions the wheelhouse holds', () => {
    const locked = new Set(parseLock(readFileSync(path.join(LOCK_DIR, 'models.txt'), 'utf8')).map((p) => `${p.name}==${p.version}`));
    const fixtures = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'wheelhouse');
    assert.ok(fixtures.length >= 5, 'fixtures are missing');
    for (const d of fixtures) {
      for (const pin of pinsOf(path.join(FIXTURES, d.name, 'requirements.txt'))) {
        assert.ok(locked.has(`${pin.name}==${pin.version}`), `${d.name}/requirements.txt pins ${pin.name}==${pin.version}, which wheelhouse/models.txt does not: change both together (models.in, then node scripts/lib/wheelhouse.mjs lock)`);
      }
    }
  });

  test('every lock pins each wheel with its sha256', () => {
    for (const f of readdirSync(LOCK_DIR).filter((n) => n.endsWith('.txt'))) {
      const text = readFileSync(path.join(LOCK_DIR, f), 'utf8');
      const pins = parseLock(text);
      assert.ok(pins.length > 0, `${f} pins nothing`);
      assert.equal((text.match(/--hash=sha256:[0-9a-f]{64}/g) ?? []).length, pins.length, `${f}: every pin needs exactly one --hash`);
    }
  });

  describe('with the engine', () => {
    let docker = false;
    let wheelhouse: Wheelhouse | undefined;
    let index: WheelIndex | undefined;

    before(async () => {
      docker = await ensureDockerd();
      if (!docker) return;
      await ensurePythonSlim();
      wheelhouse = await ensureWheelhouse();
      index = await serveWheelhouse(wheelhouse);
    });

    after(async () => {
      await index?.close();
    });

    test('python:3.11-slim is the bare Debian Python: pip, no numpy, no scikit-learn', async (t) => {
      if (!docker) return t.skip(SKIP_NO_DOCKER);
      const label = await exec('docker', ['image', 'inspect', '--format', `{{ index .Config.Labels "${RECIPE_LABEL}" }}`, PYTHON_SLIM_IMAGE]);
      assert.match(label.stdout.trim(), /^python3\.11-bare-/);
      const res = await exec('docker', ['run', '--rm', '--network', 'none', PYTHON_SLIM_IMAGE, 'python3', '-c', 'import importlib.util as u, sys; print(sys.version_info[:2], [m for m in ("numpy", "sklearn", "scipy", "flask") if u.find_spec(m)])']);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout.trim(), '(3, 11) []');
    });

    test('the wheelhouse targets exactly the platforms the image\'s pip accepts', async (t) => {
      if (!docker) return t.skip(SKIP_NO_DOCKER);
      const res = await exec('docker', ['run', '--rm', '--network', 'none', PYTHON_SLIM_IMAGE, 'python3', '-m', 'pip', 'debug', '--verbose']);
      assert.equal(res.code, 0, res.stderr);
      const tags = res.stdout.split('\n').map((l) => l.trim()).filter((l) => /^[a-z0-9_]+-[a-z0-9_]+-[a-z0-9_]+$/.test(l));
      const cp311 = tags.filter((tag) => tag.startsWith('cp311-cp311-'));
      assert.ok(cp311.length > 0, `no cp311 tags in pip debug output:\n${res.stdout.slice(0, 2000)}`);
      const platforms = new Set(cp311.map((tag) => tag.split('-')[2]!).filter((p) => p.startsWith('manylinux')));
      assert.deepEqual([...platforms].sort(), [...TARGET.platforms].sort());
    });

    test('the index speaks PEP 503 and serves only wheelhouse files', async (t) => {
      if (!docker || !index || !wheelhouse) return t.skip(SKIP_NO_DOCKER);
      const root = await get(`${index.url}/`);
      assert.equal(root.status, 200);
      assert.match(root.body, /<a href="\/simple\/scikit-learn\/">scikit-learn<\/a>/);
      const redirect = await get(`${index.url}/Scikit_Learn/`);
      assert.equal(redirect.status, 301);
      assert.equal(redirect.headers.location, '/simple/scikit-learn/');
      const page = await get(`${index.url}/scikit-learn/`);
      const wheel = wheelhouse.files.find((f) => f.name === 'scikit-learn');
      assert.ok(wheel);
      assert.ok(page.body.includes(`/files/${encodeURIComponent(wheel.file)}#sha256=${wheel.sha256}`), page.body);
      assert.equal((await get(`${index.url}/no-such-project/`)).status, 404);
      const base = index.url.replace(/\/simple$/, '');
      assert.equal((await get(`${base}/files/..%2Fmanifest.json`)).status, 404);
      assert.equal((await get(`${base}/files/manifest.json`)).status, 404);
      assert.equal((await get(`${base}/files/%E0%A4%A`)).status, 400);
    });

    test('pip in a host-network container installs from the index, checks hashes, and finds nothing else', async (t) => {
      if (!docker || !index) return t.skip(SKIP_NO_DOCKER);
      const before = index.requests.length;
      const ok = await exec('docker', ['run', '--rm', '--network', 'host', '-e', `PIP_INDEX_URL=${index.url}`, PYTHON_SLIM_IMAGE, 'python3', '-m', 'pip', 'install', '--no-cache-dir', 'threadpoolctl==3.8.0']);
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.deepEqual(index.requests.slice(before).map((f) => f.split('-')[0]), ['threadpoolctl']);
      // A package the wheelhouse lacks is not fetched from PyPI behind the test's back.
      const missing = await exec('docker', ['run', '--rm', '--network', 'host', '-e', `PIP_INDEX_URL=${index.url}`, PYTHON_SLIM_IMAGE, 'python3', '-m', 'pip', 'install', '--no-cache-dir', 'requests-oauthlib']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stdout + missing.stderr, /No matching distribution found for requests-oauthlib/);
    });
  });
});
