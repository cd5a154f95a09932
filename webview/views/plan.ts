import { html, nothing, type TemplateResult } from 'lit';
import type { Actions, ViewState } from '../state';
import type { DiffLine, FilePreview, PlanView } from '../protocol';
import { llmSizingSection } from './llm';

const ACTION_TEXT: Record<FilePreview['action'], string> = {
  create: 'new',
  overwrite: 'exists — differs',
  unchanged: 'exists — unchanged',
  skip: 'kept (your file)',
};

function diffView(lines: DiffLine[]): TemplateResult {
  const added = lines.filter((l) => l.op === '+').length;
  const removed = lines.filter((l) => l.op === '-').length;
  return html`<p class="muted small" data-testid="diff-summary">${removed} line(s) removed, ${added} added (existing → new)</p>
    <pre class="code diff" tabindex="0" aria-label="Line diff, existing to new">${lines.map(
      (l) => html`<span class=${l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'ctx'}><span class="mark" aria-label=${l.op === '+' ? 'added' : l.op === '-' ? 'removed' : 'same'}>${l.op}</span>${l.text}\n</span>`,
    )}</pre>`;
}

function fileBody(f: FilePreview, s: ViewState, actions: Actions): TemplateResult {
  if (!f.exists) return html`<pre class="code" tabindex="0" aria-label=${`Content of ${f.path}`}>${f.content}</pre>`;
  const showNew = s.showNew.has(f.path) || f.diff === null;
  return html`<div class="toolbar">
      <vscode-checkbox toggle ?checked=${!showNew} ?disabled=${f.diff === null} @change=${(e: Event) => actions.showNew(f.path, !(e.currentTarget as HTMLElement & { checked: boolean }).checked)}
        >Show changes</vscode-checkbox
      >
      <vscode-button secondary data-testid="open-diff" aria-label=${`Open diff of ${f.path}`} @click=${() => actions.openDiff(f.path)}>Open diff</vscode-button>
    </div>
    ${showNew || !f.diff ? html`<pre class="code" tabindex="0" aria-label=${`New content of ${f.path}`}>${f.content}</pre>` : diffView(f.diff)}`;
}

function fileEntry(f: FilePreview, s: ViewState, actions: Actions): TemplateResult {
  return html`<vscode-collapsible
    class=${`file ${f.action}`}
    data-testid="file-preview"
    data-path=${f.path}
    heading=${f.path}
    description=${ACTION_TEXT[f.action]}
    ?open=${s.open.has(f.path)}
    @vsc-collapsible-toggle=${(e: Event) => actions.toggle(f.path, (e.currentTarget as HTMLElement & { open: boolean }).open)}
  >
    ${f.action === 'overwrite' ? html`<vscode-badge slot="decorations" aria-label="differs from the file on disk">diff</vscode-badge>` : nothing}
    <div class="collapsible-body">${s.open.has(f.path) ? fileBody(f, s, actions) : nothing}</div>
  </vscode-collapsible>`;
}

function summary(p: PlanView): TemplateResult {
  return html`<dl class="facts">
    <dt>Base image</dt>
    <dd><code data-testid="base-image">${p.baseImage ?? '(runtime image, nothing is built)'}</code></dd>
    <dt>CUDA</dt>
    <dd data-testid="plan-cuda">${p.cuda ?? (p.target === 'gpu' ? 'from the runtime image' : 'none (CPU)')}</dd>
    <dt>Image</dt>
    <dd><code data-testid="image">${p.image}</code></dd>
    ${p.ports.length
      ? html`<dt>Ports</dt>
          <dd data-testid="plan-ports">${p.ports.map((x) => `${x.port} (${x.name})`).join(', ')}</dd>`
      : nothing}
  </dl>`;
}

export function planSection(s: ViewState, actions: Actions): TemplateResult | typeof nothing {
  const p = s.plan;
  if (!p) return nothing;
  return html`<section class="card" aria-labelledby="plan-h">
    <h2 id="plan-h">Plan</h2>
    ${summary(p)}
    ${p.errors.length
      ? html`<ul class="errors" role="alert" data-testid="plan-errors">
          ${p.errors.map((e) => html`<li>${e}</li>`)}
        </ul>`
      : nothing}
    ${p.unverified
      ? html`<div class="todos" role="note" aria-label="Unverified plan" data-testid="plan-unverified">
          <strong>UNVERIFIED</strong>
          <p>${p.unverified}. Generate asks before writing; check the base image's CUDA yourself.</p>
        </div>`
      : nothing}
    ${p.llm ? llmSizingSection(p.llm) : nothing}
    ${p.todos.length
      ? html`<div class="todos" role="note" aria-label="Left for you to fill in" data-testid="todos">
          <strong>Left for you to fill in</strong>
          <ul>
            ${p.todos.map((n) => html`<li data-testid="todo">${n}</li>`)}
          </ul>
        </div>`
      : nothing}
    ${p.notes.length
      ? html`<ul class="notes" aria-label="Notes" data-testid="plan-notes">
          ${p.notes.map((n) => html`<li>${n}</li>`)}
        </ul>`
      : nothing}
    <h3>Files (${p.files.length})</h3>
    ${p.files.length === 0
      ? html`<p class="muted">${p.errors.length ? 'Nothing is generated while the plan has errors (see above).' : 'No output selected.'}</p>`
      : p.files.map((f) => fileEntry(f, s, actions))}
  </section>`;
}
