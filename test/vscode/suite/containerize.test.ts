import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activated, removeFromWorkspace, ui, waitFor, workspaceRoot } from './helpers';

interface Result {
  plan: { target: string; baseImage: string; files: { path: string }[] };
  outcome: { created: string[]; overwritten: string[]; skipped: string[]; unchanged: string[] };
}

const ONLY_DOCKERFILE = { dockerfile: true, dockerignore: false, compose: false, kubernetes: false, kserve: false };

describe('Containerize Model', () => {
  const root = () => workspaceRoot().fsPath;

  it('writes the scaffold for scripted choices, and one undo removes it', async () => {
    await activated();
    const res = await vscode.commands.executeCommand<Result>('modeldock.containerize', {
      interactive: false,
      choices: { target: 'cpu', port: 8080, imageName: 'iris' },
      overwrite: 'skip',
    });
    assert.ok(res, 'the command returned no result (it failed: see the log)');
    assert.equal(res.plan.target, 'cpu');
    assert.match(res.plan.baseImage, /^python:3\.\d+-slim$/);
    for (const f of ['Dockerfile', '.dockerignore', 'compose.yaml']) {
      assert.ok(res.outcome.created.includes(f), `${f} not created: ${JSON.stringify(res.outcome)}`);
      assert.ok(fs.existsSync(path.join(root(), f)), `${f} is not on disk`);
    }
    const dockerfile = fs.readFileSync(path.join(root(), 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /^FROM python:3\.\d+-slim/m);
    assert.doesNotMatch(dockerfile, /nvidia|cuda/i);
    assert.ok(fs.readdirSync(path.join(root(), 'k8s')).some((f) => /deployment/i.test(f)));
    // The Dockerfile opened in an editor.
    await waitFor('the Dockerfile editor', () => vscode.window.activeTextEditor?.document.uri.fsPath === path.join(root(), 'Dockerfile') || undefined);

    await vscode.commands.executeCommand('undo');
    await waitFor('the generated files to be gone after undo', () => (res.outcome.created.every((f) => !fs.existsSync(path.join(root(), f))) ? true : undefined));
  });

  it('keeps an existing file that differs unless told to overwrite', async () => {
    const dockerfile = path.join(root(), 'Dockerfile');
    fs.writeFileSync(dockerfile, 'FROM scratch\n# mine\n');
    try {
      const kept = await vscode.commands.executeCommand<Result>('modeldock.containerize', {
        interactive: false,
        choices: { target: 'cpu', outputs: ONLY_DOCKERFILE },
        overwrite: 'skip',
        open: false,
      });
      assert.deepEqual(kept.outcome.skipped, ['Dockerfile']);
      assert.equal(fs.readFileSync(dockerfile, 'utf8'), 'FROM scratch\n# mine\n');

      const replaced = await vscode.commands.executeCommand<Result>('modeldock.containerize', {
        interactive: false,
        choices: { target: 'gpu', outputs: ONLY_DOCKERFILE },
        overwrite: 'overwrite',
        open: false,
      });
      assert.deepEqual(replaced.outcome.overwritten, ['Dockerfile']);
      assert.match(fs.readFileSync(dockerfile, 'utf8'), /^FROM (nvidia\/cuda|pytorch\/pytorch|python):/m);
      // Overwriting was a text edit: undo brings the user's file back.
      const doc = await vscode.workspace.openTextDocument(dockerfile);
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('undo');
      await waitFor('the original Dockerfile text', () => (doc.getText() === 'FROM scratch\n# mine\n' ? true : undefined));
    } finally {
      // The undo left the editor dirty: revert it so closing neither prompts nor saves it back.
      await vscode.commands.executeCommand('workbench.action.files.revert');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await removeFromWorkspace('Dockerfile');
    }
  });
});

describe('Containerize Model from the palette', () => {
  it('opens the wizard by default', async () => {
    await activated();
    await vscode.commands.executeCommand('modeldock.containerize');
    await waitFor('the wizard panel', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && /modeldock\.wizard/.test(t.input.viewType)),
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

/** Presses Enter on every Quick Pick / input box until `running` settles; returns the steps seen. */
async function acceptAllDefaults(running: Thenable<unknown>): Promise<string[]> {
  let settled = false;
  void Promise.resolve(running).finally(() => {
    settled = true;
  });
  const titles: string[] = [];
  await waitFor(
    () => `the Quick Picks to finish; steps seen: ${titles.join(' | ')}`,
    async () => {
      if (settled) return true;
      const widget = await ui({ op: 'attr', selector: '.quick-input-widget', name: 'style' });
      const visible = (widget.values ?? []).some((s) => s !== null && !/display:\s*none/.test(s));
      if (visible) {
        const title = (await ui({ op: 'text', selector: '.quick-input-widget .quick-input-title' })).texts?.join('') ?? '';
        const placeholder = (await ui({ op: 'attr', selector: '.quick-input-widget input', name: 'placeholder' })).values?.join('') ?? '';
        const message = (await ui({ op: 'text', selector: '.quick-input-widget .quick-input-message' })).texts?.join('') ?? '';
        const first = (await ui({ op: 'text', selector: '.quick-input-widget .quick-input-list .monaco-list-row .label-name' })).texts?.[0] ?? '';
        titles.push(`${title} / ${placeholder}${message ? ` / ${message}` : ''}${first ? ` / first: ${first}` : ''}`);
        await ui({ op: 'press', key: 'Enter' });
      }
      return settled || undefined;
    },
    90_000,
    100,
  );
  return titles;
}

describe('Containerize Model (Quick Picks), from the keyboard', () => {
  it('accepts every default with Enter and writes the files', async () => {
    await activated();
    const root = workspaceRoot().fsPath;
    const running = vscode.commands.executeCommand<Result>('modeldock.containerizeQuick');
    const titles = await acceptAllDefaults(running);
    const res = await running;
    assert.ok(res, `the command returned nothing; steps seen: ${titles.join(' | ')}`);
    assert.equal(res.plan.target, 'cpu');
    assert.ok(titles.some((t) => /Containerize Model/.test(t)), `no Containerize Model step seen: ${titles.join(' | ')}`);
    for (const f of ['Dockerfile', '.dockerignore', 'compose.yaml']) assert.ok(fs.existsSync(path.join(root, f)), `${f} missing`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeFromWorkspace(...res.outcome.created);
  });

  it('on a transformers-only project, every default plans a GPU image (same CUDA list as the wizard), asks GPU count', async () => {
    await activated();
    const sub = 'transformers-only';
    const dir = path.join(workspaceRoot().fsPath, sub);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'requirements.txt'), 'transformers==4.41.0\n');
    fs.writeFileSync(path.join(dir, 'app.py'), 'from transformers import pipeline\nclassifier = pipeline("sentiment-analysis")\n');
    try {
      const running = vscode.commands.executeCommand<Result & { plan: { cuda: string | null; errors: string[]; container: { gpus: unknown } } }>(
        'modeldock.containerizeQuick',
        vscode.Uri.file(dir),
      );
      const titles = await acceptAllDefaults(running);
      const res = await running;
      assert.ok(res, `the command returned nothing (a plan error?); steps seen: ${titles.join(' | ')}`);
      assert.deepEqual(res.plan.errors, []);
      assert.equal(res.plan.target, 'gpu');
      assert.deepEqual(res.plan.container.gpus, { count: 1 });
      // The CUDA step offered what the wizard offers, recommended first (Enter took it).
      const cudaStep = titles.find((t) => /CUDA version/.test(t));
      assert.ok(cudaStep, `no CUDA step: ${titles.join(' | ')}`);
      assert.ok(res.plan.cuda && cudaStep.includes(`CUDA ${res.plan.cuda}`), `${res.plan.cuda} vs ${cudaStep}`);
      assert.ok(titles.some((t) => /GPUs per container/.test(t)), `GPU count asked: ${titles.join(' | ')}`);
      assert.ok(fs.existsSync(path.join(dir, 'Dockerfile')));
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await removeFromWorkspace(sub);
      // The workspace's own detection saw the sub-project: wait until it no longer does, so the
      // suites after this one see the example as it is.
      const { api } = await activated();
      await waitFor('detection without the sub-project', () => (api.detection()?.frameworks.some((f) => f.name === 'transformers') ? undefined : true), 30_000);
    }
  });
});
