// The wizard on an LLM project, in a real VS Code: a Llama-3-8B model folder (header-only
// safetensors shards, real config.json) is detected, vLLM is proposed, the sizing table shows the
// arithmetic, and a heavier load re-plans to two GPUs with tensor parallel 2 in the written files.
// The screenshot of the sizing table is docs/images/llm-sizing.png.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activated, ui, uiText, waitFor } from './helpers';
import { PUBLISHED } from '../../unit/llm/fixtures';
import { writeHfFolder } from '../../unit/llm/modelFolders';

async function click(selector: string): Promise<void> {
  const a = await ui({ op: 'click', selector });
  assert.ok(a.ok, a.error);
}

async function press(key: string): Promise<void> {
  const a = await ui({ op: 'press', key });
  assert.ok(a.ok, a.error);
}

async function useTheme(theme: string, kind: 'vscode-light' | 'vscode-dark'): Promise<void> {
  await vscode.workspace.getConfiguration('workbench').update('colorTheme', theme, vscode.ConfigurationTarget.Global);
  await waitFor(`the webview in ${theme}`, async () => {
    const a = await ui({ op: 'attr', selector: 'body[data-vscode-theme-kind]', name: 'data-vscode-theme-kind' });
    const values = a.values ?? [];
    return values.length > 0 && values.every((v) => v === kind) ? true : undefined;
  });
}

describe('Containerize Model wizard with an LLM', () => {
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('modeldock').update('llm.gpu', undefined, vscode.ConfigurationTarget.Global);
  });

  it('proposes vLLM for a model folder, shows the sizing table, re-plans to tensor parallel 2 for more sequences', async () => {
    await activated();
    const project = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-wizard-llm-')), 'llama-chat');
    writeHfFolder(path.join(project, 'models', 'Meta-Llama-3-8B-Instruct'), { ...PUBLISHED.llama3_8b.config, _name_or_path: 'meta-llama/Meta-Llama-3-8B-Instruct' });
    // The target GPU type is a setting (the wizard's select starts there): L4, the common 24 GB card.
    await vscode.workspace.getConfiguration('modeldock').update('llm.gpu', 'l4', vscode.ConfigurationTarget.Global);
    try {
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await vscode.commands.executeCommand('modeldock.containerize', vscode.Uri.file(project));
      await uiText('[data-testid=framework]', /^LLM: LlamaForCausalLM$/);
      await uiText('[data-testid=base-image]', /^vllm\/vllm-openai:v\d/);
      // One L4 holds 8,192 tokens × 4 sequences.
      await uiText('[data-testid=llm-verdict]', /Fits: 1 × NVIDIA L4 24 GB for 8,192 tokens × 4 sequences/);
      await uiText('[data-testid=llm-row]', /^\s*Weights\s*14\.96 GiB\s*8,030,261,248 parameters/);
      await uiText('[data-testid=llm-row]', /^\s*KV cache per token\s*128 KiB/);

      // Sixteen sequences: one L4 no longer holds them, two do (tensor parallel 2).
      await click('vscode-textfield[data-testid=llm-concurrency]');
      await press('Control+A');
      await press('1');
      await press('6');
      await uiText('[data-testid=llm-verdict]', /Fits: 2 × NVIDIA L4 24 GB, tensor parallel 2 for 8,192 tokens × 16 sequences/);
      await uiText('[data-testid=llm-row]', /^\s*1 × l4\s*does not fit/);
      await uiText('[data-testid=llm-row]', /^\s*2 × l4\s*fits\s*182,064 KV tokens/);

      await useTheme('Default Dark Modern', 'vscode-dark');
      await vscode.commands.executeCommand('notifications.clearAll');
      // Scrolls the sizing into view (the click lands on its verdict line, which does nothing).
      await click('[data-testid=llm-verdict]');
      assert.ok((await ui({ op: 'screenshot', name: 'llm-sizing' })).ok);

      await click('vscode-checkbox[data-testid=overwrite]');
      await click('vscode-button[data-testid=generate]');
      await uiText('[data-testid=result]', /\d+ created/);
      const deployment = fs.readFileSync(path.join(project, 'k8s', 'deployment.yaml'), 'utf8');
      assert.match(deployment, /nvidia\.com\/gpu: 2/);
      assert.match(deployment, /- --tensor-parallel-size\n\s+- "2"/);
      assert.match(deployment, /secretKeyRef:\n\s+name: llama-chat-hf-token/);
      const compose = fs.readFileSync(path.join(project, 'compose.yaml'), 'utf8');
      assert.match(compose, /count: 2/);
      assert.match(compose, /shm_size: 16gb/);
      assert.doesNotMatch(fs.readFileSync(path.join(project, 'Dockerfile'), 'utf8'), /^COPY /m);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      fs.rmSync(path.dirname(project), { recursive: true, force: true });
    }
  });
});
