// The lint worker: runs in a worker thread (node:worker_threads) so that linting never blocks the
// extension host. It keeps one linter (compiled validators) and the incremental cache of each open
// document; the host terminates it when a request overruns its time budget and starts a new one.
import { parentPort } from 'node:worker_threads';
import { cudaCompat } from '../../core/cuda';
import { createLinter, lintDockerfile } from '../../core/lint';
import type { DocumentCache } from '../../core/lint';
import type { WorkerReply, WorkerRequest } from './protocol';

/** Open documents whose caches are kept; the least recently linted beyond this are dropped. */
const MAX_CACHED = 64;

const port = parentPort;
if (port) {
  const linter = createLinter();
  const caches = new Map<string, DocumentCache>();
  const reply = (m: WorkerReply): void => port.postMessage(m);

  port.on('message', (req: WorkerRequest) => {
    if (req.type === 'forget') {
      caches.delete(req.key);
      return;
    }
    if (req.type === 'crds') {
      linter.setCustomResourceDefinitions(req.sources);
      return;
    }
    try {
      if (req.type === 'dockerfile') {
        reply({ type: 'result', id: req.id, findings: lintDockerfile(req.text, req.file, { pins: req.pins, cuda: cudaCompat }) });
        return;
      }
      const prev = caches.get(req.key);
      const { findings, cache } = linter.lintIncremental(prev, req.text, req.file, { schema: req.schema, budgetMs: req.budgetMs, ...(req.kubernetesVersion ? { kubernetesVersion: req.kubernetesVersion } : {}) });
      caches.delete(req.key);
      caches.set(req.key, cache);
      if (caches.size > MAX_CACHED) caches.delete(caches.keys().next().value as string);
      reply({ type: 'result', id: req.id, findings, stats: cache.stats });
    } catch (err) {
      reply({ type: 'error', id: req.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
  reply({ type: 'ready' });
}
