// The wizard page: holds the view state, renders it with lit-html, and talks to the host. The
// host is the source of truth for detection and the plan; the page owns what the user is typing.
import { render } from 'lit';
import type { Host } from './host';
import { type HostToWebview, type WizardChoices, parsePersistedState } from './protocol';
import { page } from './views/page';
import type { Actions, Drafts, ViewState } from './state';

function draftsOf(c: WizardChoices): Drafts {
  return {
    port: String(c.port),
    imageName: c.imageName,
    gpuCount: String(c.gpuCount),
    contextLength: c.llm ? String(c.llm.contextLength) : '',
    concurrency: c.llm ? String(c.llm.concurrency) : '',
    modelId: c.llm?.modelId ?? '',
  };
}

export class WizardApp {
  private state: ViewState;
  private readonly actions: Actions;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: Host,
  ) {
    const saved = parsePersistedState(host.saved());
    this.state = {
      folder: null,
      detection: null,
      choices: saved?.choices ?? null,
      drafts: saved?.choices ? draftsOf(saved.choices) : { port: '', imageName: '', gpuCount: '', contextLength: '', concurrency: '', modelId: '' },
      cudaOptions: [],
      gpuArchs: [],
      plan: null,
      invalid: {},
      capabilities: { buildAndRun: false },
      busy: null,
      error: null,
      result: null,
      open: new Set(saved?.open ?? []),
      showNew: new Set(),
    };
    this.actions = {
      choose: (patch) => {
        if (!this.state.choices) return;
        // Optimistic: the control shows the new value at once; the host's plan follows.
        const c = this.state.choices;
        const { llm: llmPatch, ...rest } = patch;
        const llm = llmPatch && c.llm ? { ...c.llm, ...llmPatch } : c.llm;
        this.update({ choices: { ...c, ...rest, outputs: { ...c.outputs, ...rest.outputs }, ...(llm ? { llm } : {}) }, result: null, error: null });
        this.host.send({ type: 'choose', choices: patch });
      },
      draft: (field, text) => {
        this.update({ drafts: { ...this.state.drafts, [field]: text } });
        if (field === 'imageName') this.actions.choose({ imageName: text.trim() });
        else if (field === 'modelId') this.actions.choose({ llm: { modelId: text.trim() } });
        else if (field === 'contextLength' || field === 'concurrency') {
          const n = /^\s*\d+\s*$/.test(text) ? Number(text) : 0;
          this.actions.choose({ llm: field === 'contextLength' ? { contextLength: n } : { concurrency: n } });
        } else {
          // 0 stands for "not a number" (messages are JSON: NaN would arrive as null); it is out of
          // range for both fields, so the host answers with the field's validation message.
          const n = /^\s*\d+\s*$/.test(text) ? Number(text) : 0;
          this.actions.choose(field === 'port' ? { port: n } : { gpuCount: n });
        }
      },
      openFile: (file, line) => this.host.send({ type: 'openFile', file, line }),
      openDiff: (path) => this.host.send({ type: 'openDiff', path }),
      toggle: (path, open) => {
        const next = new Set(this.state.open);
        if (open) next.add(path);
        else next.delete(path);
        this.update({ open: next });
      },
      showNew: (path, on) => {
        const next = new Set(this.state.showNew);
        if (on) next.add(path);
        else next.delete(path);
        this.update({ showNew: next });
      },
      generate: () => {
        this.update({ result: null, error: null });
        this.host.send({ type: 'generate' });
      },
      buildAndRun: () => {
        this.update({ result: null, error: null });
        this.host.send({ type: 'buildAndRun' });
      },
      redetect: () => this.host.send({ type: 'redetect' }),
    };
  }

  start(): void {
    window.addEventListener('message', (e: MessageEvent<unknown>) => this.receive(e.data as HostToWebview));
    this.paint();
    this.host.send({ type: 'ready', state: parsePersistedState(this.host.saved()) });
  }

  private receive(msg: HostToWebview): void {
    switch (msg.type) {
      case 'init':
        this.update({
          folder: msg.folder,
          detection: msg.detection,
          choices: msg.choices,
          drafts: draftsOf(msg.choices),
          cudaOptions: msg.cudaOptions,
          gpuArchs: msg.gpuArchs,
          plan: msg.plan,
          invalid: msg.invalid,
          capabilities: msg.capabilities,
        });
        return;
      case 'plan':
        // Drafts stay as typed; only fields the host accepted move the choices.
        this.update({ choices: msg.choices, cudaOptions: msg.cudaOptions, plan: msg.plan, invalid: msg.invalid });
        return;
      case 'busy':
        this.update({ busy: msg.busy ? msg.label : null });
        return;
      case 'generated':
        this.update({ result: msg.outcome, plan: msg.plan ?? this.state.plan, error: null });
        return;
      case 'error':
        this.update({ error: msg.message });
        return;
    }
  }

  private update(patch: Partial<ViewState>): void {
    this.state = { ...this.state, ...patch };
    this.persist();
    this.paint();
  }

  private persist(): void {
    if (!this.state.folder) return;
    this.host.save({ v: 1, folder: this.state.folder.uri, choices: this.state.choices, open: [...this.state.open] });
  }

  private paint(): void {
    this.root.setAttribute('aria-busy', this.state.busy || !this.state.detection ? 'true' : 'false');
    render(page(this.state, this.actions), this.root);
  }
}
