import { html, nothing, type TemplateResult } from 'lit';
import type { Actions, ViewState } from '../state';
import type { WriteOutcomeView } from '../protocol';
import { choicesSection } from './choices';
import { detectionSection, fileLink } from './detection';
import { planSection } from './plan';

function outcomeText(o: WriteOutcomeView): string {
  const parts = [
    o.created.length ? `${o.created.length} created` : '',
    o.overwritten.length ? `${o.overwritten.length} overwritten` : '',
    o.skipped.length ? `${o.skipped.length} kept` : '',
    o.unchanged.length ? `${o.unchanged.length} unchanged` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'nothing to write';
}

function resultView(s: ViewState, actions: Actions): TemplateResult | typeof nothing {
  const o = s.result;
  if (!o) return nothing;
  const written = [...o.created, ...o.overwritten];
  return html`<div class="result" data-testid="result">
    <strong>Done:</strong> ${outcomeText(o)}. One Undo (Ctrl+Z in the editor) takes the edit back.
    ${written.length ? html`<div class="written">${written.map((f) => fileLink(actions, f, null, 'written-link'))}</div>` : nothing}
  </div>`;
}

export function page(s: ViewState, actions: Actions): TemplateResult {
  const canWrite = Boolean(s.plan && s.plan.errors.length === 0 && s.plan.files.length > 0 && !s.busy);
  return html`<header class="top">
      <div>
        <h1>Containerize Model</h1>
        <p class="muted">${s.folder ? s.folder.name : ''}</p>
      </div>
      <vscode-button secondary data-testid="redetect" ?disabled=${Boolean(s.busy)} @click=${actions.redetect}>Re-detect</vscode-button>
    </header>
    <div class="status" role="status" aria-live="polite" data-testid="status">${s.busy ?? ''}</div>
    ${s.error ? html`<div class="error" role="alert" data-testid="error">${s.error}</div>` : nothing}
    <div class="columns">
      <div class="col">${detectionSection(s.detection, actions)} ${choicesSection(s, actions)}</div>
      <div class="col">${planSection(s, actions)}</div>
    </div>
    <footer class="actions">
      <vscode-button data-testid="generate" ?disabled=${!canWrite} @click=${actions.generate}>Generate</vscode-button>
      ${s.capabilities.buildAndRun
        ? html`<vscode-button secondary data-testid="build-run" ?disabled=${!canWrite} @click=${actions.buildAndRun}>Build &amp; Run</vscode-button>`
        : nothing}
      ${resultView(s, actions)}
    </footer>`;
}
