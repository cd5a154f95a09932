import { html, nothing, type TemplateResult } from 'lit';
import type { Actions } from '../state';
import type { DetectionView, EvidenceView } from '../protocol';

export function fileLink(actions: Actions, file: string, line: number | null, testid = 'evidence-link'): TemplateResult {
  const label = line ? `${file}:${line}` : file;
  return html`<button
    type="button"
    class="link"
    data-testid=${testid}
    aria-label=${`Open ${label}`}
    title=${`Open ${label}`}
    @click=${() => actions.openFile(file, line)}
  >${label}</button>`;
}

function evidenceItem(actions: Actions, e: EvidenceView): TemplateResult {
  return html`<li>${fileLink(actions, e.file, e.line)} <span class="muted">— ${e.reason}</span></li>`;
}

export function detectionSection(d: DetectionView | null, actions: Actions): TemplateResult {
  if (!d) {
    return html`<section class="card" aria-labelledby="found-h">
      <h2 id="found-h">What ModelDock found</h2>
      <p role="status" data-testid="detecting">Detecting the ML framework…</p>
    </section>`;
  }
  const primary = d.frameworks.find((f) => f.name === d.primary);
  const llmModel = d.llm?.models[0];
  return html`<section class="card" aria-labelledby="found-h">
    <h2 id="found-h">What ModelDock found</h2>
    <dl class="facts">
      <dt>Framework</dt>
      <dd>
        <strong data-testid="framework">${!d.primary && llmModel ? `LLM: ${llmModel.what}` : d.primaryDisplay}${primary?.version ? ` ${primary.version}` : ''}</strong>
        ${primary && !primary.version ? html`<span class="muted">(version not pinned)</span>` : nothing}
      </dd>
      <dt>Detected target</dt>
      <dd data-testid="accelerator">${d.accelerator === 'gpu' ? `GPU${d.cuda ? ` (CUDA ${d.cuda})` : ''}` : 'CPU'}</dd>
      <dt>Python</dt>
      <dd>
        ${d.python ?? html`<span class="muted">not declared (3.11 assumed)</span>`}
        ${d.pythonEvidence ? html`<span class="muted">from</span> ${fileLink(actions, d.pythonEvidence.file, d.pythonEvidence.line)}` : nothing}
      </dd>
      <dt>Entrypoint</dt>
      <dd>
        ${d.entrypoint
          ? html`${fileLink(actions, d.entrypoint.file, d.entrypoint.line, 'entrypoint')} <span class="muted">(${d.entrypoint.kind})</span>`
          : html`<span class="muted">none found</span>`}
      </dd>
    </dl>

    <vscode-collapsible heading="Why: evidence" open>
      <div class="collapsible-body">
        ${d.frameworks.length === 0 ? html`<p class="muted">No framework evidence in ${d.filesSeen} files.</p>` : nothing}
        ${d.frameworks.map(
          (f) => html`<h3 class="fw">${f.display}${f.version ? ` ${f.version}` : ''}</h3>
            <ul class="evidence" aria-label=${`Evidence for ${f.display}`}>
              ${f.evidence.map((e) => evidenceItem(actions, e))}
            </ul>`,
        )}
        <p class="muted small">${d.filesSeen} files looked at${d.truncated ? ' (stopped at the file budget: detection may be incomplete)' : ''}.</p>
      </div>
    </vscode-collapsible>

    ${d.llm
      ? html`<vscode-collapsible heading="Large language model" open data-testid="llm-detection">
          <div class="collapsible-body">
            ${d.llm.models.map(
              (m) => html`<h3 class="fw">${fileLink(actions, m.path, null, 'llm-model')} <span class="muted">${m.what}, ${m.size}</span></h3>
                <ul class="evidence" aria-label=${`Evidence for ${m.path}`}>
                  ${m.evidence.map((e) => evidenceItem(actions, e))}
                </ul>`,
            )}
            ${d.llm.runtimes.map(
              (r) => html`<h3 class="fw">Runtime: ${r.name}</h3>
                <ul class="evidence">${r.evidence.map((e) => evidenceItem(actions, e))}</ul>`,
            )}
            ${d.llm.code.length ? html`<h3 class="fw">LLM code</h3><ul class="evidence">${d.llm.code.map((e) => evidenceItem(actions, e))}</ul>` : nothing}
            ${d.llm.hubModels.length
              ? html`<p class="muted small">Hub models the code loads: ${d.llm.hubModels.map((h) => html`<code>${h.id}</code> `)}</p>`
              : nothing}
          </div>
        </vscode-collapsible>`
      : nothing}

    <vscode-collapsible heading=${`Model artifacts (${d.artifacts.length})`} ?open=${d.artifacts.length > 0}>
      <div class="collapsible-body">
        ${d.artifacts.length === 0
          ? html`<p class="muted">No model files (weights) found.</p>`
          : html`<table class="grid" aria-label="Model artifacts">
              <thead>
                <tr><th scope="col">File</th><th scope="col">Format</th><th scope="col" class="num">Size</th></tr>
              </thead>
              <tbody>
                ${d.artifacts.map(
                  (a) => html`<tr>
                    <td>${fileLink(actions, a.file, null, 'artifact-link')}</td>
                    <td>${a.format}</td>
                    <td class="num" title=${`${a.bytes} bytes`}>${a.size}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      </div>
    </vscode-collapsible>

    ${d.warnings.length
      ? html`<ul class="warnings" aria-label="Detection warnings">
          ${d.warnings.map((w) => html`<li>${w}</li>`)}
        </ul>`
      : nothing}
  </section>`;
}
