import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { extract } from 'tar-stream';
import { connectEngine, packContext, planContext, type DockerEngine } from '../../../src/docker/index';
import { SKIP_NO_DOCKER, TEST_LABELS, dockerCleanup, ensureDockerd, ensureImage, run } from '../helpers/docker';

// Patterns chosen where gitignore-style matchers and the Docker CLI disagree.
const DOCKERIGNORE = `# comment line
**/*.log
!important.log
/secrets
data/**
!data/keep/**
models
!models/config.json
**/__pycache__
*.tmp
!**/keep.tmp
Dockerfile
.dockerignore
/build/
docs/*.md
!docs/README.md
cache
!**/rescued.txt
./weird/../odd
   node_modules
`;

const FILES = [
  'app.py',
  'important.log',
  'debug.log',
  'sub/debug.log',
  'sub/deep/trace.log',
  'secrets/key',
  'sub/secrets/key',
  'data/a.bin',
  'data/keep/one.txt',
  'data/keep/sub/two.txt',
  'models/w.bin',
  'models/config.json',
  'src/__pycache__/x.pyc',
  'src/main.py',
  '__pycache__/y.pyc',
  'a.tmp',
  'keep.tmp',
  'sub/b.tmp',
  'sub/keep.tmp',
  'build/out.o',
  'docs/a.md',
  'docs/README.md',
  'docs/sub/c.md',
  'cache/rescued.txt',
  'cache/other.txt',
  'odd/file.txt',
  'weird/file.txt',
  'node_modules/pkg/index.js',
  'space name.txt',
  'sub/node_modules/kept.js',
];

const LIST_DOCKERFILE = 'FROM local/busybox:1\nWORKDIR /ctx\nCOPY . .\nRUN find . -mindepth 1 | sort > /ctx.list\n';

function makeContext(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'md-ctx-'));
  for (const f of FILES) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), `${f}\n`);
  }
  mkdirSync(path.join(dir, 'empty-dir'));
  symlinkSync('app.py', path.join(dir, 'link-to-app'));
  writeFileSync(path.join(dir, 'Dockerfile'), LIST_DOCKERFILE);
  writeFileSync(path.join(dir, '.dockerignore'), DOCKERIGNORE);
  return dir;
}

async function listFromImage(image: string): Promise<string[]> {
  const res = await run('docker', ['run', '--rm', image, 'cat', '/ctx.list']);
  assert.equal(res.code, 0, res.stderr);
  return res.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^\.\//, '')).sort();
}

describe('build context vs the Docker CLI', () => {
  let docker = false;
  let engine: DockerEngine | undefined;
  let dir = '';
  const images = ['md-test-ctx-cli:1', 'md-test-ctx-md:1'];

  before(async () => {
    docker = await ensureDockerd();
    dir = makeContext();
    if (!docker) return;
    await ensureImage('local/busybox:1');
    engine = await connectEngine();
  });
  after(async () => {
    engine?.dispose();
    if (docker) await dockerCleanup([], images, true);
    rmSync(dir, { recursive: true, force: true });
  });

  test('the files in the context equal what `docker build` sends, for a tricky .dockerignore', async (t) => {
    if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
    const cli = await run('docker', ['build', '-q', '--label', 'modeldock.test=1', '-t', images[0] as string, dir], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    assert.equal(cli.code, 0, cli.stderr);
    const fromCli = await listFromImage(images[0] as string);

    const plan = await planContext(dir);
    await engine.buildImage({ plan, tags: [images[1] as string], builder: 'classic', labels: TEST_LABELS });
    const fromModelDock = await listFromImage(images[1] as string);

    assert.deepEqual(fromModelDock, fromCli);
    // Spot checks, so a regression in both at once (a different CLI) is still noticed.
    // Dockerfile and .dockerignore are sent (see the tar test) but the daemon deletes ignored ones
    // from the context after reading them, so the image cannot show them.
    for (const kept of ['important.log', 'data/keep/one.txt', 'data/keep/sub/two.txt', 'models/config.json', 'sub/secrets/key', 'docs/README.md', 'docs/sub/c.md', 'sub/keep.tmp', 'keep.tmp', 'sub/b.tmp', 'weird/file.txt', 'link-to-app', 'empty-dir', 'sub/node_modules/kept.js', 'space name.txt']) {
      assert.ok(fromCli.includes(kept), `${kept} should be in the context`);
    }
    for (const dropped of ['debug.log', 'sub/deep/trace.log', 'secrets/key', 'data/a.bin', 'models/w.bin', 'src/__pycache__/x.pyc', '__pycache__/y.pyc', 'a.tmp', 'build/out.o', 'docs/a.md', 'odd/file.txt', 'node_modules/pkg/index.js', 'cache/rescued.txt']) {
      assert.ok(!fromCli.includes(dropped), `${dropped} should not be in the context`);
    }
  });

  test('the streamed tar holds exactly the planned entries', async () => {
    const plan = await planContext(dir);
    const names: string[] = [];
    const ex = extract();
    ex.on('entry', (header, stream, next) => {
      names.push(header.name.replace(/\/$/, ''));
      stream.on('end', next);
      stream.resume();
    });
    const done = new Promise<void>((resolve, reject) => {
      ex.on('finish', resolve);
      ex.on('error', reject);
    });
    packContext(plan).pipe(ex as unknown as NodeJS.WritableStream);
    await done;
    assert.deepEqual(names.sort(), plan.files.map((f) => f.rel).sort());
    // Both are ignored by the patterns, and sent anyway, as the CLI does.
    assert.ok(names.includes('Dockerfile'));
    assert.ok(names.includes('.dockerignore'));
  });
});
