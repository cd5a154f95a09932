// Deploy Model end to end on real parts: the scikit-learn example scaffolded by the CLI, built by
// the real engine, pushed to a real registry (Debian's docker-registry on 127.0.0.1), applied to
// a real kube-apiserver with the pushed digest, its rollout carried out by the real deployment
// and replicaset controllers and scheduler and followed by ModelDock's watches, and smoke-tested
// through a real port-forward. kwok simulates the kubelet and does not run containers: the
// request reaches the same image running on the local engine, through the pod's port-forward
// (kwok's PortForward resource points at it). Then an undo to the previous revision, and an undo
// refused because the registry no longer has that revision's image.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli';
import { checkImageAccess, connectEngine, pickFreePort, planContext, planRun, registryAuthHeader, resolveCredentials, registryHostOf, type DockerEngine } from '../../../src/docker/index';
import { createClusterClient, loadKubeconfig, type ClusterClient } from '../../../src/kube';
import { CHANGE_CAUSE } from '../../../src/core/deploy/manifests';
import { DeploySession, readManifests, runDeploy, type Confirmation, type PipelineDeps } from '../../../src/features/deploy/pipeline';
import { RolloutFollower } from '../../../src/features/deploy/follower';
import { runSmokeTest } from '../../../src/features/deploy/smokeRunner';
import { planUndo } from '../../../src/features/cluster/undoPlan';
import { resourcePath } from '../../helpers/kubeApi';
import { dockerCleanup, ensureDockerd, ensureImage } from '../helpers/docker';
import { pollFor } from '../helpers/poll';
import { ensureWheelhouse, serveWheelhouse, type WheelIndex } from '../../../scripts/lib/wheelhouse.mjs';
import { DeployCluster, LocalRegistry, bridgeHostAddress } from './cluster';

const repo = path.resolve(__dirname, '..', '..', '..');
const NS = 'ml';

describe('Deploy Model on a real control plane with a local registry', () => {
  let cluster: DeployCluster;
  let registry: LocalRegistry;
  let engine: DockerEngine;
  let client: ClusterClient;
  let index: WheelIndex;
  let work = '';
  let project = '';
  const dockerConfig = mkdtempSync(path.join(tmpdir(), 'md-deploy-dockercfg-'));
  const containers: string[] = [];
  const images: string[] = [];
  const confirmations: Confirmation[] = [];
  const digests: string[] = [];

  before(async () => {
    assert.ok(await ensureDockerd(), 'the Deploy tests need the Docker engine');
    await ensureImage('python:3.11-slim');
    // The image's pip installs the example's pins for real, from the test wheelhouse on the bridge.
    index = await serveWheelhouse(await ensureWheelhouse(), { host: await bridgeHostAddress() });
    [registry, cluster] = await Promise.all([LocalRegistry.start(), DeployCluster.start({ namespaces: [NS], gpuNodes: [{ name: 'cpu-1' }, { name: 'cpu-2' }] })]);
    engine = await connectEngine();
    const kc = await loadKubeconfig({ setting: cluster.cp.kubeconfigPath, home: tmpdir() });
    client = await createClusterClient({ kubeconfig: kc, context: 'test' });
    work = mkdtempSync(path.join(tmpdir(), 'md-deploy-it-'));
    project = path.join(work, 'sklearn-iris');
    cpSync(path.join(repo, 'examples', 'sklearn-iris'), project, { recursive: true });
    const out: string[] = [];
    const code = await main(['scaffold', project, '--target', 'cpu'], { out: (s) => out.push(s), err: (s) => out.push(s), cwd: project });
    assert.equal(code, 0, out.join(''));
    // What the scaffold should generate (the lead's part): the example's own request shape.
    writeFileSync(path.join(project, 'sample_request.json'), JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] }));
  });

  after(async () => {
    client?.dispose();
    engine?.dispose();
    await index?.close();
    await dockerCleanup(containers, images).catch(() => undefined);
    await cluster?.stop();
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(dockerConfig, { recursive: true, force: true });
  });

  function deps(): PipelineDeps {
    return {
      client,
      async build(dir, tag) {
        const r = await engine.buildImage({ plan: await planContext(dir), tags: [tag], builder: 'classic', buildArgs: { PIP_INDEX_URL: index.url, PIP_TRUSTED_HOST: index.host } });
        images.push(tag);
        return { durationMs: r.durationMs };
      },
      async push(image, target) {
        await engine.tagImage(image, target);
        images.push(target);
        const creds = await resolveCredentials(registryHostOf(target), { configDir: dockerConfig });
        return engine.pushImage({ ref: target, registryAuth: registryAuthHeader(creds.host, creds.credentials) });
      },
      checkImage: (ref) => checkImageAccess(ref, { configDir: dockerConfig }),
      async confirm(c) {
        confirmations.push(c);
        return true;
      },
      follower: { inspectImage: async (ref) => { const c = await checkImageAccess(ref, { configDir: dockerConfig }); return c.ok ? undefined : c.message; }, timeoutMs: 180_000 },
    };
  }

  async function deploy(): Promise<Awaited<ReturnType<typeof runDeploy>>> {
    const manifests = await readManifests(path.join(project, 'k8s'), work);
    const session = new DeploySession(client.currentContext, NS, 'sklearn-iris');
    try {
      return await runDeploy({ manifests, namespace: NS, registry: registry.host }, deps(), session);
    } finally {
      session.dispose();
    }
  }

  /** The registry's digest for a tag, asked over its HTTP API (not through ModelDock). */
  async function registryDigest(repoName: string, tag: string): Promise<string | undefined> {
    const c = await checkImageAccess(`${registry.host}/${repoName}:${tag}`, { configDir: dockerConfig });
    return c.ok ? c.digest : undefined;
  }

  test('build → push → digest in the applied Deployment → rollout followed to Ready → smoke request through the port-forward', async (t) => {
    const t0 = Date.now();
    const outcome = await deploy();
    const wallMs = Date.now() - t0;
    const r = outcome.rollouts[0]!;
    digests.push(outcome.pushed.digest);
    assert.equal(outcome.ok, true, JSON.stringify(r, null, 2) + (await cluster.logs()));

    // The digest is the registry's: the tag resolves to it there.
    assert.match(outcome.pushed.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(await registryDigest('sklearn-iris', '0.1.0'), outcome.pushed.digest);
    assert.equal(outcome.pushed.pinned, `${registry.host}/sklearn-iris@${outcome.pushed.digest}`);

    // The user confirmed a diff whose right side is the server's dry run with the pinned image.
    assert.equal(confirmations.length, 1);
    assert.match(confirmations[0]!.diff!.dryRun, new RegExp(`image: ${outcome.pushed.pinned.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(confirmations[0]!.diff!.live, /does not exist yet/);

    // What the API server stores, read back without ModelDock's client.
    const dep = await cluster.cp.api.get(resourcePath('apps/v1', 'deployments', NS, 'sklearn-iris'));
    const tmpl = (dep.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers;
    assert.equal(tmpl[0]!.image, outcome.pushed.pinned);
    assert.match(dep.metadata.annotations?.[CHANGE_CAUSE] ?? '', /^ModelDock deploy of 127\.0\.0\.1:\d+\/sklearn-iris:0\.1\.0 \(sha256:[0-9a-f]{12}\) from sklearn-iris at /);
    assert.equal((dep.status as { readyReplicas?: number }).readyReplicas, 1);
    assert.equal(dep.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');

    // The follower saw the controller's objects: one ReplicaSet (revision 1), its pod Ready.
    assert.equal(r.phase, 'complete');
    assert.equal(r.revision, '1');
    assert.deepEqual(r.replicaSets.map((s) => [s.revision, s.isNew, s.images[0]]), [[1, true, outcome.pushed.pinned]]);
    assert.equal(r.pods.length, 1);
    assert.equal(r.pods[0]!.ready, '1/1');
    assert.ok(r.pods[0]!.node === 'cpu-1' || r.pods[0]!.node === 'cpu-2', `scheduled by kube-scheduler: ${r.pods[0]!.node}`);
    assert.ok(r.events.some((e) => e.reason === 'ScalingReplicaSet'), `the controller's events are shown: ${JSON.stringify(r.events)}`);
    assert.ok(r.events.some((e) => e.reason === 'Scheduled'), 'the scheduler\'s Scheduled event is shown');

    // The model server: the pushed image on the local engine; the pod's port 8080 forwards to it.
    const hostPort = await pickFreePort(18300);
    const { id } = await engine.createAndStartContainer(planRun({ image: outcome.pushed.pinned, project: 'modeldock-deploy-it', ports: [{ containerPort: 8080, hostPort }] }));
    containers.push(id);
    const pod = r.pods[0]!.name;
    await cluster.cp.exposePodPort(NS, pod, 8080, hostPort);
    const smoke = await pollFor('the smoke test to get an answer from the model server', async () => {
      const s = await runSmokeTest(client, { namespace: NS, deployment: 'sklearn-iris', projectDir: project, image: outcome.pushed.pinned });
      s.forward?.dispose();
      return s.result.ok ? s.result : undefined;
    }, 90_000, 1000);
    assert.equal(smoke.pod, pod);
    assert.equal(smoke.runtime.runtime, 'python');
    assert.equal(smoke.request?.path, '/predict');
    assert.equal(smoke.request?.source, 'project');
    assert.deepEqual(JSON.parse(smoke.answer!.body), { predictions: ['setosa'] });

    t.diagnostic(`deploy wall time ${(wallMs / 1000).toFixed(1)} s (build ${outcome.timings.build} ms, push ${outcome.timings.push} ms, check ${outcome.timings.check} ms, dry-run ${outcome.timings['dry-run']} ms, apply ${outcome.timings.apply} ms, rollout ${outcome.timings.rollout} ms); requests while following: ${r.requests}`);
    // Following is watches, not polling: a handful of lists and watch opens.
    assert.ok(r.requests < 20, `requests made while following: ${r.requests}`);
  });

  test('a second deploy is revision 2; undo to revision 1 after a dry run brings its digest back', async () => {
    writeFileSync(path.join(project, 'app.py'), `${readFileSync(path.join(project, 'app.py'), 'utf8')}\n# revision 2\n`);
    const second = await deploy();
    digests.push(second.pushed.digest);
    assert.equal(second.ok, true, JSON.stringify(second.rollouts[0], null, 2));
    assert.notEqual(second.pushed.digest, digests[0], 'a code change is a new image');
    assert.equal(second.rollouts[0]!.revision, '2');

    const dry = await client.rollbackDeployment(NS, 'sklearn-iris', 1, { dryRun: true });
    const image = (o: typeof dry.after) => (o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image;
    assert.equal(image(dry.before!), second.pushed.pinned);
    assert.equal(image(dry.after), `${registry.host}/sklearn-iris@${digests[0]}`);
    // A dry run stores nothing.
    const unchanged = await cluster.cp.api.get(resourcePath('apps/v1', 'deployments', NS, 'sklearn-iris'));
    assert.equal((unchanged.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image, second.pushed.pinned);

    await client.rollbackDeployment(NS, 'sklearn-iris', 1, { dryRun: false, resourceVersion: String(dry.before!.metadata.resourceVersion) });
    const follower = new RolloutFollower({ namespace: NS, name: 'sklearn-iris' }, { client, timeoutMs: 120_000 });
    const done = await follower.done;
    follower.dispose();
    assert.equal(done.phase, 'complete', done.summary);
    // The controller re-labels revision 1's ReplicaSet as revision 3, with its change-cause.
    assert.equal(done.revision, '3');
    assert.deepEqual(done.images, [`${registry.host}/sklearn-iris@${digests[0]}`]);
    assert.match(done.changeCause ?? '', new RegExp(digests[0]!.slice(0, 19)));
    const current = done.replicaSets.find((s) => s.isNew)!;
    assert.equal(current.revision, 3);
  });

  test('an undo whose image the registry no longer has is refused with the registry\'s own error', async () => {
    // A registry retention policy removed revision 2's image (DELETE by digest, as distribution allows).
    const del = await fetch(`http://${registry.host}/v2/sklearn-iris/manifests/${digests[1]}`, { method: 'DELETE' });
    assert.equal(del.status, 202);
    const plan = await planUndo(client, NS, 'sklearn-iris', 2, (ref) => checkImageAccess(ref, { configDir: dockerConfig }));
    assert.deepEqual(plan.missing, [{ image: `${registry.host}/sklearn-iris@${digests[1]}`, message: 'MANIFEST_UNKNOWN: manifest unknown' }]);
    // Revision 3 (the first image) is still there: undoing to it has nothing missing.
    const fine = await planUndo(client, NS, 'sklearn-iris', 3, (ref) => checkImageAccess(ref, { configDir: dockerConfig }));
    assert.deepEqual(fine.missing, []);
  });

  test('a stale undo (the Deployment changed since the diff) is refused, not applied', async () => {
    const dry = await client.rollbackDeployment(NS, 'sklearn-iris', 2, { dryRun: true });
    await client.scale('Deployment', NS, 'sklearn-iris', 2);
    await assert.rejects(client.rollbackDeployment(NS, 'sklearn-iris', 2, { dryRun: false, resourceVersion: String(dry.before!.metadata.resourceVersion) }), /changed since the diff/);
    await client.scale('Deployment', NS, 'sklearn-iris', 1);
  });
});
