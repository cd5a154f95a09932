import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activated, ui, uiText, waitFor, workspaceRoot, removeFromWorkspace } from './helpers';
import { ONNX, initializer, model, valueInfo } from '../../unit/scaffold/protobuf';

type Open = (folder: vscode.Uri) => Promise<void>;

const GENERATED = ['Dockerfile', '.dockerignore', 'compose.yaml', 'k8s'];

/** Texts of every match of a selector across frames (the webview's included). */
async function texts(selector: string): Promise<string[]> {
  const a = await ui({ op: 'text', selector });
  return a.texts ?? [];
}

async function click(selector: string): Promise<void> {
  const a = await ui({ op: 'click', selector });
  assert.ok(a.ok, a.error);
}

async function useTheme(theme: string, kind: 'vscode-light' | 'vscode-dark'): Promise<void> {
  await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
  // The webview re-themes after the workbench: wait until its body says so.
  await waitFor(`the webview in ${theme}`, async () => {
    const a = await ui({ op: 'attr', selector: 'body[data-vscode-theme-kind]', name: 'data-vscode-theme-kind' });
    const values = a.values ?? [];
    return values.length > 0 && values.every((v) => v === kind) ? true : undefined;
  });
}

describe('Containerize Model wizard (webview)', () => {
  let open: Open;
  const owned: vscode.Disposable[] = [];

  before(async () => {
    await activated();
    // The palette command with a folder opens the wizard (the default UI).
    open = async (folder) => {
      await vscode.commands.executeCommand('modeldock.containerize', folder);
    };
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    for (const d of owned.splice(0)) d.dispose();
  });

  it('shows what detection found, with evidence links, and generates into the example workspace', async () => {
    const root = workspaceRoot().fsPath;
    // Earlier suites may leave outputs behind: set them aside and put them back afterwards.
    const aside = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-wizard-aside-'));
    const setAside = GENERATED.filter((f) => fs.existsSync(path.join(root, f)));
    for (const f of setAside) fs.renameSync(path.join(root, f), path.join(aside, f));
    try {
      await open(workspaceRoot());
      await uiText('[data-testid=framework]', /^scikit-learn( 1\.9\.1)?$/);
      await uiText('[data-testid=gpu-reason]', /does not use a GPU/);
      await uiText('[data-testid=base-image]', /^python:3\.\d+-slim$/);
      assert.deepEqual(await texts('[data-testid=cuda-option]'), [], 'no CUDA choice for a CPU target');

      // An evidence link opens the file at its line (the click takes the first link).
      await uiText('[data-testid=evidence-link]', /^[\w./-]+:\d+$/);
      const link = (await texts('[data-testid=evidence-link]'))[0] ?? '';
      await click('[data-testid=evidence-link]');
      const [file, line] = link.split(':');
      await waitFor(`${link} open in an editor`, () => {
        const ed = vscode.window.activeTextEditor;
        return ed && ed.document.uri.fsPath === path.join(root, file!) && ed.selection.active.line === Number(line ?? 1) - 1 ? true : undefined;
      });

      // The explicit overwrite policy (no modal), which also covers a leftover open document.
      await click('vscode-checkbox[data-testid=overwrite]');
      await waitFor('the overwrite box ticked', async () => ((await ui({ op: 'attr', selector: 'vscode-checkbox[data-testid=overwrite]', name: 'checked' })).values?.[0] === '' ? true : undefined));
      await click('vscode-button[data-testid=generate]');
      await uiText('[data-testid=result]', /\d+ created/);
      await waitFor('the generated files on disk', () => (GENERATED.every((f) => fs.existsSync(path.join(root, f))) ? true : undefined));
      assert.match(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'), /^FROM python:3\.\d+-slim/m);
      // Written files now match the plan: the preview says so.
      const action = async (want: string) =>
        waitFor(`Dockerfile marked "${want}"`, async () => {
          const a = await ui({ op: 'attr', selector: 'vscode-collapsible[data-path=Dockerfile]', name: 'description' });
          return a.values?.includes(want) ? true : undefined;
        });
      await action('exists — unchanged');

      // A hand edit on disk: the preview turns into existing-vs-new with a line diff, and
      // "Open diff" opens VS Code's diff editor on the same pair.
      fs.writeFileSync(path.join(root, 'Dockerfile'), 'FROM scratch\n# mine\n');
      await action('exists — differs');
      await click('vscode-collapsible[data-path=Dockerfile]');
      await uiText('[data-testid=diff-summary]', /2 line\(s\) removed, \d+ added/);
      await uiText('pre.diff .del', /^-FROM scratch/);
      await click('vscode-button[data-testid=open-diff]');
      await waitFor('a diff editor of the Dockerfile', () =>
        vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.original.fsPath === path.join(root, 'Dockerfile'))
          ? true
          : undefined,
      );
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await removeFromWorkspace(...GENERATED);
      for (const f of setAside) fs.renameSync(path.join(aside, f), path.join(root, f));
      fs.rmSync(aside, { recursive: true, force: true });
    }
  });

  it('switches CPU → GPU on the PyTorch example: base image and CUDA choices change; screenshots in both themes', async () => {
    const { ext } = await activated();
    const project = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-wizard-')), 'pytorch-classifier');
    fs.cpSync(path.join(ext.extensionPath, 'examples', 'pytorch-classifier'), project, { recursive: true });
    try {
      // Room for the page: the screenshots show its top (detection, choices, plan), and clicks
      // that Playwright must scroll to would move it.
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await open(vscode.Uri.file(project));
      await uiText('[data-testid=framework]', /^PyTorch 2\.3\.1$/);

      await click('vscode-radio[data-testid=target-cpu]');
      await uiText('[data-testid=base-image]', /^python:3\.11-slim$/);
      await waitFor('no CUDA choices on CPU', async () => ((await texts('[data-testid=cuda-option]')).length === 0 ? true : undefined));

      await click('vscode-radio[data-testid=target-gpu]');
      const base = await uiText('[data-testid=base-image]', /^(pytorch\/pytorch:2\.3\.1-cuda|nvidia\/cuda:)/);
      assert.doesNotMatch(base, /python:3/);
      // The requirements pin torch+cu121: the detected CUDA is preselected and drives the plan.
      await uiText('[data-testid=cuda-option]', /^CUDA 12\.1 \(detected/);
      await uiText('[data-testid=plan-cuda]', /^12\.1$/);
      const options = await texts('[data-testid=cuda-option]');
      assert.ok(options.length >= 2, `compatible CUDA versions only, but more than one: ${JSON.stringify(options)}`);
      assert.ok(options.every((o) => /^CUDA 1[12]\.\d+/.test(o)), JSON.stringify(options));

      await useTheme('Default Dark Modern', 'vscode-dark');
      await vscode.commands.executeCommand('notifications.clearAll');
      assert.ok((await ui({ op: 'screenshot', name: 'wizard-dark' })).ok);
      await useTheme('Default Light Modern', 'vscode-light');
      await vscode.commands.executeCommand('notifications.clearAll');
      assert.ok((await ui({ op: 'screenshot', name: 'wizard-light' })).ok);

      // A file preview shows what will be written.
      await click('vscode-collapsible[data-path=Dockerfile]');
      await uiText('pre.code', /^FROM (pytorch\/pytorch|nvidia\/cuda)/m);

      await click('vscode-button[data-testid=generate]');
      await uiText('[data-testid=result]', /\d+ created/);
      const dockerfile = fs.readFileSync(path.join(project, 'Dockerfile'), 'utf8');
      assert.match(dockerfile, /^FROM (pytorch\/pytorch:2\.3\.1-cuda12\.1|nvidia\/cuda:12\.1)/m);
      const compose = fs.readFileSync(path.join(project, 'compose.yaml'), 'utf8');
      assert.match(compose, /driver: nvidia/);
      assert.ok(fs.readdirSync(path.join(project, 'k8s')).length > 0);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(path.dirname(project), { recursive: true, force: true });
    }
  });

  it('offers Triton next to the own Python server for an ONNX model and re-plans with the inputs read from it', async () => {
    const { ext } = await activated();
    const project = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-wizard-')), 'pytorch-onnx');
    fs.cpSync(path.join(ext.extensionPath, 'examples', 'pytorch-classifier'), project, { recursive: true });
    fs.mkdirSync(path.join(project, 'export'));
    fs.writeFileSync(
      path.join(project, 'export', 'classifier.onnx'),
      model({ initializers: [initializer('fc.weight', 4096)], inputs: [valueInfo('pixels', ONNX.FLOAT, ['batch', 3, 32, 32])], outputs: [valueInfo('logits', ONNX.FLOAT, ['batch', 10])] }),
    );
    try {
      await open(vscode.Uri.file(project));
      await uiText('[data-testid=framework]', /^PyTorch/);
      await uiText('vscode-radio[data-testid=runtime-python]', /^Own Python server \(serve\.py\)$/);
      await uiText('vscode-radio[data-testid=runtime-triton]', /Triton/);

      await click('vscode-radio[data-testid=runtime-triton]');
      await uiText('[data-testid=base-image]', /^nvcr\.io\/nvidia\/tritonserver:\d\d\.\d\d-py3$/);
      await uiText('[data-testid=runtime-reason]', /ONNX model found \(export\/classifier\.onnx\)/);
      await uiText('[data-testid=plan-ports]', /^8000 \(http\), 8001 \(grpc\), 8002 \(metrics\)$/);
      // Inputs/outputs were read from the model: nothing is left as TODO.
      assert.deepEqual(await texts('[data-testid=todos]'), []);
      await click('vscode-collapsible[data-path="model_repository/classifier/config.pbtxt"]');
      await uiText('pre.code', /name: "pixels"\s+data_type: TYPE_FP32\s+dims: \[ -1, 3, 32, 32 \]/);

      await click('vscode-radio[data-testid=runtime-python]');
      await uiText('[data-testid=base-image]', /^(python:3|pytorch\/pytorch|nvidia\/cuda)/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(path.dirname(project), { recursive: true, force: true });
    }
  });
});
