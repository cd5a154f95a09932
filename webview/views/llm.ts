// The LLM servers' part of the wizard: what they are sized for (GPU type, context × concurrency,
// a Hub model id, the autoscaler) and the sizing arithmetic with its verdict and what would fit.
import { html, nothing, type TemplateResult } from 'lit';
import type { Actions, ViewState } from '../state';
import type { LlmPlanView, LlmWizardChoices, WizardChoices } from '../protocol';

function valueOf(e: Event): string {
  return (e.currentTarget as HTMLElement & { value: string }).value;
}

function checked(e: Event): boolean {
  return (e.currentTarget as HTMLElement & { checked: boolean }).checked;
}

function help(id: string, invalid: string | undefined, text: string): TemplateResult {
  return invalid
    ? html`<vscode-form-helper id=${id}><span class="invalid" role="alert">${invalid}</span></vscode-form-helper>`
    : html`<vscode-form-helper id=${id}>${text}</vscode-form-helper>`;
}

/** Until a plan has brought the catalog, the select offers what is chosen. */
function gpuOptions(s: ViewState, l: LlmWizardChoices): { id: string; name: string }[] {
  const fromPlan = s.plan?.llm?.gpuOptions;
  if (fromPlan?.length) return fromPlan;
  return [{ id: l.gpu, name: l.gpu === 'auto' ? 'Automatic' : l.gpu }];
}

/** Replaces the CUDA block for LLM servers: their image fixes CUDA, the sizing fixes the GPU count. */
export function llmChoicesBlock(s: ViewState, c: WizardChoices, actions: Actions, gpusField: TemplateResult): TemplateResult {
  const l = c.llm ?? { gpu: 'auto', contextLength: 8192, concurrency: 4, modelId: '', autoscale: false };
  const plan = s.plan?.llm ?? null;
  const hub = plan?.source === 'hub' || l.modelId !== '';
  const gpuText = plan ? (plan.fits === null ? `${plan.gpuText} (not sized)` : plan.gpuText) : '…';
  return html`<div class="field">
      <vscode-label for="llm-gpu">GPU type</vscode-label>
      <vscode-single-select
        id="llm-gpu"
        data-testid="llm-gpu"
        aria-label="GPU type"
        aria-describedby="llm-gpu-help"
        .value=${l.gpu}
        @change=${(e: Event) => actions.choose({ llm: { gpu: valueOf(e) } })}
      >
        ${gpuOptions(s, l).map((o) => html`<vscode-option value=${o.id} ?selected=${o.id === l.gpu}>${o.name}</vscode-option>`)}
      </vscode-single-select>
      ${help('llm-gpu-help', s.invalid.llmGpu, plan?.fits === null ? `GPUs: ${gpuText}: the model was not read, so the count below is yours.` : `GPUs: ${gpuText} — from the sizing below, not a free choice.`)}
    </div>
    ${plan?.fits === null && c.target === 'gpu' ? gpusField : nothing}
    <div class="row">
      <div class="field">
        <vscode-label for="llm-context">Context length (tokens)</vscode-label>
        <vscode-textfield
          id="llm-context"
          data-testid="llm-context"
          type="number"
          min="16"
          aria-label="Context length in tokens"
          aria-describedby="llm-context-help"
          ?invalid=${Boolean(s.invalid.contextLength)}
          .value=${s.drafts.contextLength}
          @input=${(e: Event) => actions.draft('contextLength', valueOf(e))}
        ></vscode-textfield>
        ${help('llm-context-help', s.invalid.contextLength, 'Prompt + answer, per sequence.')}
      </div>
      <div class="field">
        <vscode-label for="llm-concurrency">Concurrent sequences</vscode-label>
        <vscode-textfield
          id="llm-concurrency"
          data-testid="llm-concurrency"
          type="number"
          min="1"
          aria-label="Concurrent sequences"
          aria-describedby="llm-concurrency-help"
          ?invalid=${Boolean(s.invalid.concurrency)}
          .value=${s.drafts.concurrency}
          @input=${(e: Event) => actions.draft('concurrency', valueOf(e))}
        ></vscode-textfield>
        ${help('llm-concurrency-help', s.invalid.concurrency, 'Held in the KV cache at once.')}
      </div>
    </div>
    ${hub
      ? html`<div class="field">
          <vscode-label for="llm-model-id">Hugging Face model</vscode-label>
          <vscode-textfield
            id="llm-model-id"
            data-testid="llm-model-id"
            aria-label="Hugging Face model id"
            aria-describedby="llm-model-id-help"
            placeholder=${plan?.source === 'hub' ? plan.model : 'org/name'}
            ?invalid=${Boolean(s.invalid.modelId)}
            .value=${s.drafts.modelId}
            @input=${(e: Event) => actions.draft('modelId', valueOf(e))}
          ></vscode-textfield>
          ${help('llm-model-id-help', s.invalid.modelId, 'Downloaded by the server into a mounted cache; the token comes from a Secret.')}
        </div>`
      : nothing}
    <div class="field">
      <vscode-checkbox
        data-testid="llm-autoscale"
        ?checked=${l.autoscale}
        aria-describedby="llm-autoscale-help"
        @change=${(e: Event) => actions.choose({ llm: { autoscale: checked(e) } })}
        >Autoscale on the server's queue</vscode-checkbox
      >
      <vscode-form-helper id="llm-autoscale-help">A HorizontalPodAutoscaler on waiting requests (needs Prometheus and prometheus-adapter).</vscode-form-helper>
    </div>`;
}

function rowClass(v: LlmPlanView['rows'][number]): string {
  return v.verdict === 'fits' ? 'fits' : v.verdict === 'no' ? 'nofit' : v.verdict === 'invalid' ? 'invalid-tp' : '';
}

/** The arithmetic: weights, KV per token, KV budget, fits / does not fit on N GPUs; then what would fit. */
export function llmSizingSection(p: LlmPlanView): TemplateResult {
  const load = `${p.contextLength.toLocaleString('en-US')} tokens × ${p.concurrency} sequence${p.concurrency === 1 ? '' : 's'}`;
  const verdict =
    p.fits === null
      ? html`<p class="muted" data-testid="llm-verdict">${p.sizingNote ?? 'Not sized.'}</p>`
      : p.fits
        ? html`<p class="verdict ok" data-testid="llm-verdict"><strong>Fits:</strong> ${p.gpuText} for ${load}.</p>`
        : html`<p class="verdict bad" data-testid="llm-verdict"><strong>Does not fit</strong> for ${load}: see what would below.</p>`;
  return html`<section class="llm-sizing" aria-labelledby="llm-h" data-testid="llm-sizing">
    <h3 id="llm-h">GPU sizing — ${p.runtimeName}</h3>
    <p class="muted small">${p.source === 'hub' ? 'Downloads' : 'Serves'} <code>${p.model}</code> as <code>${p.servedName}</code>; OpenAI API on port ${p.port} (${p.chatRoute}).</p>
    ${verdict}
    ${p.rows.length
      ? html`<table class="grid sizing" aria-label="Sizing arithmetic" data-testid="llm-table">
          <thead>
            <tr><th scope="col">What</th><th scope="col" class="num">Value</th><th scope="col">How</th></tr>
          </thead>
          <tbody>
            ${p.rows.map(
              (r) => html`<tr class=${rowClass(r)} data-testid="llm-row">
                <th scope="row">${r.label}</th>
                <td class="num">${r.value}</td>
                <td class="muted">${r.detail}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
      : nothing}
    ${p.sentences.length ? html`<ul class="notes" data-testid="llm-sentences">${p.sentences.map((x) => html`<li>${x}</li>`)}</ul>` : nothing}
    ${p.alternatives.length
      ? html`<div class="todos" role="note" data-testid="llm-alternatives">
          <strong>What would fit</strong>
          <ul>
            ${p.alternatives.map((a) => html`<li>${a}</li>`)}
          </ul>
        </div>`
      : nothing}
    ${p.candidates.length
      ? html`<p class="muted small" data-testid="llm-candidates">
          GPU types considered: ${p.candidates.map((c) => `${c.id} ${c.gpuCount === null ? `— ${c.note ?? 'does not fit'}` : `× ${c.gpuCount}`}`).join(', ')}.
        </p>`
      : nothing}
    ${p.assumptions.length
      ? html`<vscode-collapsible heading="Assumptions">
          <div class="collapsible-body"><ul class="notes">${p.assumptions.map((a) => html`<li>${a}</li>`)}</ul></div>
        </vscode-collapsible>`
      : nothing}
  </section>`;
}
