// Issue 4's end-to-end check on the real Docker engine: the CLI scaffolds the scikit-learn
// example for CPU, the generated Dockerfile builds unchanged (classic builder and BuildKit)
// against a locally made bare python:3.11-slim, pip installing the example's requirements for
// real from the test wheelhouse's index, the container answers a prediction over HTTP, and a
// code-only change rebuilds with the dependency layer from cache.
//
// The product's engine builds on the default bridge network, so the index listens on the host's
// bridge address rather than 127.0.0.1 (test/integration/images builds on the host network).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../../src/cli';
import { connectEngine, pickFreePort, planContext, planRun, type BuildEvent, type DockerEngine } from '../../../src/docker/index';
import { SKIP_NO_DOCKER, dockerCleanup, ensureDockerd, ensureImage } from '../helpers/docker';
import { pollFor } from '../helpers/poll';
import { assertIndexArgs, bridgeAddress } from '../images/harness';
import { ensureWheelhouse, normalizeName, serveWheelhouse, type WheelIndex } from '../../../scripts/lib/wheelhouse.mjs';

const repo = path.resolve(__dirname, '..', '..', '..');

// node:http rather than fetch: docker-proxy accepts connections before the app listens, and a
// fetch waiting on such a socket does not keep node:test's event loop alive.
function predict(port: number): Promise<unknown> {
  const body = JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]] });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/predict', method: 'POST', headers: { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${data}`));
        else resolve(JSON.parse(data));
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}


describe('scaffolded scikit-learn image on the real engine', () => {
  let docker = false;
  let engine: DockerEngine | undefined;
  let dir = '';
  let index: WheelIndex | undefined;
  const containers: string[] = [];
  const images = ['modeldock-it/sklearn-iris:classic', 'modeldock-it/sklearn-iris:buildkit', 'modeldock-it/sklearn-iris:rebuilt'];

  before(async () => {
    docker = await ensureDockerd();
    if (!docker) return;
    await ensureImage('python:3.11-slim');
    const wheelhouse = await ensureWheelhouse();
    // The example's pins must be in the wheelhouse, or pip in the image finds nothing to install.
    const have = new Set(wheelhouse.files.map((f) => `${f.name}==${f.version}`));
    const requirements = readFileSync(path.join(repo, 'examples', 'sklearn-iris', 'requirements.txt'), 'utf8');
    for (const m of requirements.matchAll(/^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)/gm)) {
      assert.ok(
        have.has(`${normalizeName(m[1]!)}==${m[2]}`),
        `examples/sklearn-iris/requirements.txt pins ${m[1]}==${m[2]}, which the test wheelhouse (test/fixtures/images/wheelhouse/models.txt) does not hold: pin the example to the wheelhouse's versions, or add the pin to models.in and run node scripts/lib/wheelhouse.mjs lock`,
      );
    }
    index = await serveWheelhouse(wheelhouse, { host: await bridgeAddress() });
    engine = await connectEngine();
    dir = path.join(mkdtempSync(path.join(tmpdir(), 'md-scaffold-it-')), 'sklearn-iris');
    cpSync(path.join(repo, 'examples', 'sklearn-iris'), dir, { recursive: true });
    const out: string[] = [];
    const code = await main(['scaffold', dir, '--target', 'cpu', '--json'], { out: (s) => out.push(s), err: (s) => out.push(s), cwd: dir });
    assert.equal(code, 0, out.join('\n'));
    const report = JSON.parse(out.join('')) as { baseImage: string; files: { path: string; action: string }[] };
    assert.equal(report.baseImage, 'python:3.11-slim');
    assert.ok(report.files.some((f) => f.path === 'Dockerfile' && f.action === 'create'));
  });

  after(async () => {
    await index?.close();
    engine?.dispose();
    if (docker) await dockerCleanup(containers, images);
    if (dir) rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  async function build(tag: string, builder: 'classic' | 'buildkit'): Promise<string[]> {
    assert.ok(engine);
    const lines: string[] = [];
    const onEvent = (e: BuildEvent) => {
      if (e.type === 'log') lines.push(e.text);
      if (e.type === 'error') lines.push(`ERROR ${e.message}`);
    };
    assert.ok(index);
    const result = await engine
      .buildImage({ plan: await planContext(dir), tags: [tag], builder, buildArgs: { PIP_INDEX_URL: index.url, PIP_TRUSTED_HOST: index.host }, onEvent })
      .catch((err: unknown) => assert.fail(`${err instanceof Error ? err.message : String(err)}\n${lines.join('').slice(-4000)}`));
    assert.equal(result.builder, builder);
    return lines;
  }

  test('the generated Dockerfile builds unchanged with the classic builder and with BuildKit', async (t) => {
    if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
    const dockerfile = readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^FROM python:3\.11-slim/m);
    // pip trusts a plain-HTTP index only on loopback: the bridge address needs PIP_TRUSTED_HOST.
    assertIndexArgs(dockerfile, ['PIP_INDEX_URL', 'PIP_TRUSTED_HOST']);
    assert.ok(index);
    const served = index.requests.length;
    await build(images[0]!, 'classic');
    // pip really installed scikit-learn from the index: the base image has none.
    assert.ok(index.requests.slice(served).some((f) => f.startsWith('scikit_learn-')), `the build downloaded no scikit-learn wheel; served: ${index.requests.join(', ')}`);
    await build(images[1]!, 'buildkit');
    assert.ok(await engine.imageExists(images[0]!));
    assert.ok(await engine.imageExists(images[1]!));
  });

  test('the container serves a prediction over HTTP on a published port', async (t) => {
    if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
    const hostPort = await pickFreePort(18080);
    const spec = planRun({ image: images[0]!, project: 'sklearn-iris', ports: [{ containerPort: 8080, hostPort }] });
    const { id } = await engine.createAndStartContainer(spec);
    containers.push(id);
    const body = (await pollFor('the model server', () => predict(hostPort), 60_000, 200)) as { predictions: string[] };
    assert.deepEqual(body.predictions, ['setosa', 'virginica']);
    // The image runs as the non-root user the Dockerfile creates.
    const inspected = await engine.inspectContainer(id);
    assert.equal(inspected.running, true);
  });

  test('a code-only change rebuilds with the dependency layer from cache', async (t) => {
    if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
    const app = path.join(dir, 'app.py');
    writeFileSync(app, `${readFileSync(app, 'utf8')}\n# a code-only change\n`);
    const lines = await build(images[2]!, 'classic');
    const text = lines.join('');
    // Classic builder output: each step, then " ---> Using cache" when the layer is reused.
    const steps = text.split(/^Step \d+\/\d+ : /m).slice(1);
    const install = steps.find((s) => /^RUN .*pip install/.test(s));
    const copyAll = steps.find((s) => /^COPY .*\. \.?/.test(s) && !/requirements/.test(s.split('\n')[0] ?? ''));
    assert.ok(install, `no pip install step in:\n${text.slice(0, 3000)}`);
    assert.match(install, /Using cache/, 'the dependency layer was rebuilt');
    assert.ok(copyAll, 'no COPY of the sources');
    assert.doesNotMatch(copyAll, /Using cache/, 'the code layer should have been rebuilt');
  });
});
