import { html, nothing, type TemplateResult } from 'lit';
import type { Actions, ViewState } from '../state';
import { LLM_RUNTIMES, RUNTIMES, type OutputKey, type Runtime, type Target, type WizardChoices } from '../protocol';
import { llmChoicesBlock } from './llm';

const OUTPUT_LABELS: Record<OutputKey, string> = {
  dockerfile: 'Dockerfile',
  dockerignore: '.dockerignore',
  compose: 'compose.yaml',
  kubernetes: 'Kubernetes manifests (k8s/)',
  kserve: 'KServe InferenceService',
};

function targetOf(e: Event): Target {
  return (e.currentTarget as HTMLElement & { value: string }).value === 'gpu' ? 'gpu' : 'cpu';
}

function runtimeOf(e: Event): Runtime | null {
  const v = (e.currentTarget as HTMLElement & { value: string }).value;
  return (RUNTIMES as readonly string[]).includes(v) ? (v as Runtime) : null;
}

function checked(e: Event): boolean {
  return (e.currentTarget as HTMLElement & { checked: boolean }).checked;
}

function valueOf(e: Event): string {
  return (e.currentTarget as HTMLElement & { value: string }).value;
}

function helper(id: string, text: string | undefined, fallback?: string): TemplateResult | typeof nothing {
  if (text) return html`<vscode-form-helper id=${id}><span class="invalid" role="alert">${text}</span></vscode-form-helper>`;
  return fallback ? html`<vscode-form-helper id=${id}>${fallback}</vscode-form-helper>` : nothing;
}

/** "Own Python server" next to the model servers that fit; hidden when python is the only one. */
function runtimeBlock(s: ViewState, c: WizardChoices, actions: Actions): TemplateResult | typeof nothing {
  const options = s.detection?.runtimes ?? [];
  if (options.length < 2) return nothing;
  const selected = options.find((o) => o.runtime === c.runtime) ?? options[0];
  return html`<div class="field">
    <span class="label" id="runtime-label">Serving</span>
    <vscode-radio-group variant="vertical" aria-labelledby="runtime-label" aria-describedby="runtime-help">
      ${options.map(
        (o) => html`<vscode-radio
          name="runtime"
          value=${o.runtime}
          data-testid=${`runtime-${o.runtime}`}
          title=${o.reason}
          ?checked=${o.runtime === selected?.runtime}
          @change=${(e: Event) => {
            const r = runtimeOf(e);
            if (checked(e) && r) actions.choose({ runtime: r });
          }}
          >${o.label}</vscode-radio
        >`,
      )}
    </vscode-radio-group>
    ${s.invalid.runtime
      ? helper('runtime-help', s.invalid.runtime)
      : html`<vscode-form-helper id="runtime-help" data-testid="runtime-reason">${selected?.reason ?? ''}</vscode-form-helper>`}
  </div>`;
}

function gpusField(s: ViewState, actions: Actions): TemplateResult {
  return html`<div class="field">
    <vscode-label for="gpus">GPUs per container</vscode-label>
    <vscode-textfield
      id="gpus"
      type="number"
      min="1"
      max="16"
      aria-label="GPUs per container"
      aria-describedby="gpus-help"
      ?invalid=${Boolean(s.invalid.gpuCount)}
      .value=${s.drafts.gpuCount}
      @input=${(e: Event) => actions.draft('gpuCount', valueOf(e))}
    ></vscode-textfield>
    ${helper('gpus-help', s.invalid.gpuCount)}
  </div>`;
}

/** The GPU the image must run on: the CUDA list and the runtimes' images are checked against it. */
function gpuArchField(s: ViewState, c: WizardChoices, actions: Actions): TemplateResult | typeof nothing {
  if (s.gpuArchs.length === 0) return nothing;
  const selected = s.gpuArchs.find((o) => o.arch === c.gpuArch) ?? s.gpuArchs[0];
  return html`<div class="field">
    <vscode-label for="gpu-arch">GPU</vscode-label>
    <vscode-single-select
      id="gpu-arch"
      data-testid="gpu-arch-select"
      aria-label="GPU the image runs on"
      aria-describedby="gpu-arch-help"
      .value=${selected?.arch ?? 'any'}
      @change=${(e: Event) => actions.choose({ gpuArch: valueOf(e) as WizardChoices['gpuArch'] })}
    >
      ${s.gpuArchs.map(
        (o) => html`<vscode-option data-testid="gpu-arch-option" value=${o.arch} description=${o.detail} ?selected=${o.arch === selected?.arch}>${o.label}</vscode-option>`,
      )}
    </vscode-single-select>
    ${helper('gpu-arch-help', s.invalid.gpuArch, selected?.detail)}
  </div>`;
}

function cudaBlock(s: ViewState, c: WizardChoices, actions: Actions): TemplateResult | typeof nothing {
  // LLM servers: the sizing decides the GPUs (CPU too for llama.cpp: it sizes the RAM).
  if (LLM_RUNTIMES.includes(c.runtime)) return llmChoicesBlock(s, c, actions, gpusField(s, actions));
  if (c.target !== 'gpu') return nothing;
  if (c.runtime !== 'python') {
    // The model server's image tag fixes its CUDA; the plan shows which.
    return html`${gpuArchField(s, c, actions)}
      <div class="field"><span class="label">CUDA version</span><p class="muted" data-testid="runtime-cuda">Comes with the model server's image.</p></div>
      ${gpusField(s, actions)}`;
  }
  if (s.cudaOptions.length === 0) {
    return html`${gpuArchField(s, c, actions)}
      <div class="field"><span class="label">CUDA version</span><p class="muted">No CUDA choice for this project${c.gpuArch !== 'any' ? ' and this GPU' : ''}.</p></div>`;
  }
  // With no explicit pick the plan's CUDA is in effect (detection's, e.g. a +cu121 pin, else the
  // table's recommendation): the select shows that one.
  const effective = c.cuda ?? s.plan?.cuda ?? null;
  const selected = s.cudaOptions.find((o) => o.cuda === effective) ?? s.cudaOptions.find((o) => o.recommended) ?? s.cudaOptions[0];
  const detected = s.detection?.cuda ?? null;
  const tags = (cuda: string, recommended: boolean): string => {
    const t = [cuda === detected ? 'detected' : '', recommended ? 'recommended' : ''].filter(Boolean);
    return t.length ? ` (${t.join(', ')})` : '';
  };
  return html`${gpuArchField(s, c, actions)}
    <div class="field">
      <vscode-label for="cuda">CUDA version</vscode-label>
      <vscode-single-select
        id="cuda"
        data-testid="cuda-select"
        aria-label="CUDA version"
        aria-describedby="cuda-help"
        .value=${selected?.cuda ?? ''}
        @change=${(e: Event) => actions.choose({ cuda: valueOf(e) })}
      >
        ${s.cudaOptions.map(
          (o) => html`<vscode-option data-testid="cuda-option" value=${o.cuda} description=${o.reason} ?selected=${o.cuda === selected?.cuda}
            >CUDA ${o.cuda}${tags(o.cuda, o.recommended)}</vscode-option
          >`,
        )}
      </vscode-single-select>
      ${helper('cuda-help', s.invalid.cuda, selected?.reason)}
      <p class="muted small">Only CUDA versions compatible with the detected framework${c.gpuArch !== 'any' ? ' and this GPU' : ''} are listed.</p>
    </div>
    ${gpusField(s, actions)}`;
}

export function choicesSection(s: ViewState, actions: Actions): TemplateResult | typeof nothing {
  const c = s.choices;
  if (!c) return nothing;
  const gpu = s.detection?.gpu ?? { available: true, reason: '' };
  const hasArtifacts = (s.detection?.artifacts.length ?? 0) > 0;
  return html`<section class="card" aria-labelledby="choices-h">
    <h2 id="choices-h">Choices</h2>
    ${runtimeBlock(s, c, actions)}
    <div class="field">
      <span class="label" id="target-label">Target</span>
      <vscode-radio-group variant="horizontal" aria-labelledby="target-label" aria-describedby="target-help">
        <vscode-radio name="target" value="cpu" data-testid="target-cpu" ?checked=${c.target === 'cpu'} @change=${(e: Event) => checked(e) && actions.choose({ target: targetOf(e) })}
          >CPU</vscode-radio
        >
        <vscode-radio
          name="target"
          value="gpu"
          data-testid="target-gpu"
          ?checked=${c.target === 'gpu'}
          ?disabled=${!gpu.available}
          @change=${(e: Event) => checked(e) && actions.choose({ target: targetOf(e) })}
          >GPU</vscode-radio
        >
      </vscode-radio-group>
      <vscode-form-helper id="target-help" data-testid="gpu-reason">${gpu.reason}</vscode-form-helper>
    </div>
    ${cudaBlock(s, c, actions)}
    <fieldset class="field">
      <legend class="label">Files to generate</legend>
      <div class="checks">
        ${(Object.keys(OUTPUT_LABELS) as OutputKey[]).map(
          (k) => html`<vscode-checkbox
            data-testid=${`output-${k}`}
            ?checked=${c.outputs[k]}
            @change=${(e: Event) => actions.choose({ outputs: { [k]: checked(e) } })}
            >${OUTPUT_LABELS[k]}</vscode-checkbox
          >`,
        )}
      </div>
    </fieldset>
    <div class="row">
      <div class="field">
        <vscode-label for="port">Port</vscode-label>
        <vscode-textfield
          id="port"
          type="number"
          min="1"
          max="65535"
          aria-label="Container port"
          aria-describedby="port-help"
          ?invalid=${Boolean(s.invalid.port)}
          ?disabled=${c.runtime !== 'python'}
          .value=${s.drafts.port}
          @input=${(e: Event) => actions.draft('port', valueOf(e))}
        ></vscode-textfield>
        ${helper('port-help', s.invalid.port, c.runtime !== 'python' ? 'The model server uses its own ports (see the plan).' : undefined)}
      </div>
      <div class="field grow">
        <vscode-label for="image">Image name</vscode-label>
        <vscode-textfield
          id="image"
          data-testid="image-name"
          aria-label="Image name"
          aria-describedby="image-help"
          ?invalid=${Boolean(s.invalid.imageName)}
          .value=${s.drafts.imageName}
          @input=${(e: Event) => actions.draft('imageName', valueOf(e))}
        ></vscode-textfield>
        ${helper('image-help', s.invalid.imageName)}
      </div>
    </div>
    <div class="field">
      <vscode-checkbox
        ?checked=${c.weightsInImage}
        ?disabled=${!hasArtifacts}
        aria-describedby="weights-help"
        @change=${(e: Event) => actions.choose({ weightsInImage: checked(e) })}
        >Copy model weights into the image</vscode-checkbox
      >
      <vscode-form-helper id="weights-help"
        >${hasArtifacts ? 'Off: weights are mounted at /models (smaller image, faster rebuilds).' : 'No model files were found to copy.'}</vscode-form-helper
      >
    </div>
    <div class="field">
      <vscode-checkbox
        data-testid="overwrite"
        ?checked=${c.overwrite}
        aria-describedby="overwrite-help"
        @change=${(e: Event) => actions.choose({ overwrite: checked(e) })}
        >Overwrite existing files without asking</vscode-checkbox
      >
      <vscode-form-helper id="overwrite-help">Off: each file that differs opens a diff and asks first.</vscode-form-helper>
    </div>
  </section>`;
}
