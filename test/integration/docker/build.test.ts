import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CancelledError } from '../../../src/platform/errors';
import { DockerUserError, connectEngine, planContext, type BuildEvent, type DockerEngine } from '../../../src/docker/index';
import { pollFor } from '../helpers/poll';
import { SKIP_NO_DOCKER, TEST_LABELS, dockerCleanup, ensureDockerd, ensureImage, run } from '../helpers/docker';

function folder(dockerfile: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'md-build-'));
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  writeFileSync(path.join(dir, 'hello.txt'), 'hello\n');
  return dir;
}


/** Host processes running this suite's `sleep 4242` (container processes are visible from the host). */
async function sleepers(): Promise<number> {
  const ps = await run('ps', ['-eo', 'args']);
  return ps.stdout.split('\n').filter((l) => l.trim() === 'sleep 4242').length;
}

describe('building through the Engine API', () => {
  let docker = false;
  let engine: DockerEngine | undefined;
  const dirs: string[] = [];
  const tags: string[] = [];

  before(async () => {
    docker = await ensureDockerd();
    if (!docker) return;
    await ensureImage('local/busybox:1');
    engine = await connectEngine();
  });
  after(async () => {
    engine?.dispose();
    if (docker) await dockerCleanup([], tags, true);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const builder of ['buildkit', 'classic'] as const) {
    test(`${builder}: steps N/M, logs with ANSI intact, and an image tagged`, async (t) => {
      if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
      const dir = folder('FROM local/busybox:1\nCOPY hello.txt /hello.txt\nRUN printf "\\033[31mred\\033[0m\\n"\n');
      dirs.push(dir);
      const tag = `md-test-build-${builder}:1`;
      tags.push(tag);
      const events: BuildEvent[] = [];
      const result = await engine.buildImage({ plan: await planContext(dir), tags: [tag], builder, noCache: true, labels: TEST_LABELS, onEvent: (e) => events.push(e) });
      assert.equal(result.builder, builder);
      assert.match(result.imageId ?? '', /^sha256:/);
      const steps = events.filter((e) => e.type === 'step');
      // The classic builder turns build labels into one extra LABEL step.
      const expected = builder === 'classic' ? ['1/4', '2/4', '3/4', '4/4'] : ['1/3', '2/3', '3/3'];
      assert.deepEqual(steps.map((s) => `${s.current}/${s.total}`), expected);
      const output = events.map((e) => (e.type === 'log' ? e.text : '')).join('');
      assert.ok(output.includes('\u001b[31mred\u001b[0m'), `ANSI escapes should be untouched:\n${output}`);
      assert.equal((await run('docker', ['image', 'inspect', tag])).code, 0);
    });

    test(`${builder}: the failing step's error line is surfaced`, async (t) => {
      if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
      const dir = folder('FROM local/busybox:1\nRUN echo about-to-fail && exit 3\n');
      dirs.push(dir);
      await assert.rejects(
        engine.buildImage({ plan: await planContext(dir), tags: [`md-test-fail-${builder}:1`], builder, noCache: true, labels: TEST_LABELS }),
        (err: unknown) => err instanceof DockerUserError && err.kind === 'build-failed' && /exit code: 3|returned a non-zero code: 3/.test(err.message),
      );
    });

    test(`${builder}: cancelling a long RUN really stops the build`, async (t) => {
      if (!docker || !engine) return t.skip(SKIP_NO_DOCKER);
      const dir = folder(`FROM local/busybox:1\nRUN echo sleeping-${builder} && sleep 4242\n`);
      dirs.push(dir);
      const tag = `md-test-cancel-${builder}:1`;
      tags.push(tag);
      const controller = new AbortController();
      const build = engine.buildImage({ plan: await planContext(dir), tags: [tag], builder, noCache: true, labels: TEST_LABELS, signal: controller.signal });
      const outcome = build.then(
        () => 'finished',
        (err: unknown) => err,
      );
      // Abort only once the RUN is really executing on the host, not while the context uploads.
      await pollFor('the RUN step to start', async () => (await sleepers()) > 0, 30_000);
      const started = Date.now();
      controller.abort();
      const err = await outcome;
      assert.ok(err instanceof CancelledError, `expected a cancellation, got ${String(err)}`);
      assert.ok(Date.now() - started < 5_000, 'the build promise settles promptly');
      // The daemon must stop the step: the sleeping process goes away and no image gets the tag.
      await pollFor('the RUN process to end', async () => (await sleepers()) === 0, 30_000);
      if (builder === 'classic') {
        await pollFor(
          'the build container to stop',
          async () => !(await run('docker', ['ps', '-q', '--filter', 'status=running', '--filter', 'ancestor=local/busybox:1'])).stdout.trim(),
          30_000,
        );
      }
      assert.notEqual((await run('docker', ['image', 'inspect', tag])).code, 0, 'no image is tagged');
    });
  }
});
