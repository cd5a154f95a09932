// The Deploy view: each deploy's steps, then per Deployment its rollout as it happens (status,
// problems with what to do, why a pod is Pending in numbers, the previous run's last lines of a
// crashing container, ReplicaSets, pods, events), the smoke test's answer and the open
// port-forward. Rows are plain data built from the sessions (rows()), so the tests read exactly
// what the view shows.
import type { RolloutSnapshot } from './follower';
import { STEP_TITLES, type DeploySession, type StepName, type StepState } from './pipeline';

export interface Row {
  readonly id: string;
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly icon: { readonly id: string; readonly color?: string };
  readonly contextValue?: string;
  readonly children?: readonly Row[];
  readonly expanded?: boolean;
  readonly command?: { readonly command: string; readonly title: string; readonly arguments?: unknown[] };
  /** The session a row belongs to (commands on rows act on it). */
  readonly session?: DeploySession;
}

const ICON: Record<StepState['status'], { id: string; color?: string }> = {
  pending: { id: 'circle-large-outline', color: 'disabledForeground' },
  running: { id: 'loading~spin' },
  done: { id: 'pass-filled', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  skipped: { id: 'circle-slash', color: 'disabledForeground' },
};

const PHASE_ICON: Record<RolloutSnapshot['phase'], { id: string; color?: string }> = {
  waiting: { id: 'loading~spin' },
  progressing: { id: 'loading~spin' },
  paused: { id: 'debug-pause', color: 'charts.yellow' },
  complete: { id: 'pass-filled', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  'timed-out': { id: 'watch', color: 'charts.yellow' },
  gone: { id: 'trash', color: 'disabledForeground' },
};

const ms = (n: number | undefined) => (n === undefined ? undefined : n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`);
const join = (parts: readonly (string | undefined | false)[]) => parts.filter((p): p is string => !!p).join(' · ');

function rolloutRows(base: string, s: RolloutSnapshot, session: DeploySession): Row[] {
  const out: Row[] = [];
  for (const [i, p] of s.problems.entries()) {
    out.push({ id: `${base}/problem/${i}`, label: p.message, tooltip: `${p.message}\n\n${p.hint}`, description: p.hint, icon: { id: 'error', color: 'testing.iconFailed' }, contextValue: `modeldock.deploy.problem.${p.kind}`, session });
  }
  for (const e of s.scheduling) {
    out.push({
      id: `${base}/pending/${e.pod}`,
      label: `Pending: ${e.summary}`,
      tooltip: `${e.pod} does not schedule: ${e.summary}${e.partial ? `\n(${e.partial})` : ''}`,
      icon: { id: 'warning', color: 'charts.yellow' },
      contextValue: 'modeldock.deploy.pending',
      session,
    });
  }
  for (const log of s.crashLogs) {
    const lines: Row[] = log.lines.map((l, i) => ({
      id: `${base}/crash/${log.pod}/${log.container}/${i}`,
      label: l.text,
      ...(l.cls ? { description: `${l.cls.label}: ${l.cls.hint}`, tooltip: `${l.text}\n\n${l.cls.label}: ${l.cls.hint}` } : {}),
      icon: l.cls ? { id: l.cls.severity === 'error' ? 'error' : 'warning', color: l.cls.severity === 'error' ? 'testing.iconFailed' : 'charts.yellow' } : { id: 'blank' },
    }));
    out.push({
      id: `${base}/crash/${log.pod}/${log.container}`,
      label: `Previous run of ${log.container} (restart ${log.restartCount})`,
      description: log.error ? `logs unavailable: ${log.error}` : `last ${log.lines.length} lines of ${log.pod}`,
      icon: { id: 'output' },
      children: lines,
      expanded: true,
      session,
    });
  }
  for (const r of s.replicaSets) {
    out.push({
      id: `${base}/rs/${r.name}`,
      label: `Revision ${r.revision}${r.isNew ? ' (new)' : ''}`,
      description: join([`${r.ready}/${r.desired} ready`, r.images.join(', ')]),
      tooltip: join([`ReplicaSet ${r.name}`, r.changeCause]),
      icon: { id: 'versions', ...(r.isNew ? { color: 'charts.blue' } : {}) },
    });
  }
  for (const p of s.pods) {
    const ok = p.phase === 'Running' && p.ready.split('/')[0] === p.ready.split('/')[1];
    out.push({
      id: `${base}/pod/${p.name}`,
      label: p.name,
      description: join([p.status, p.ready, p.restarts > 0 && `↻${p.restarts}`, p.gpus > 0 && `${p.gpus} GPU`, p.node, !p.isNew && 'old']),
      icon: ok ? { id: 'pass-filled', color: 'testing.iconPassed' } : p.phase === 'Pending' || p.status === 'ContainerCreating' ? { id: 'clock', color: 'charts.yellow' } : { id: 'error', color: 'testing.iconFailed' },
    });
  }
  if (s.events.length > 0) {
    const events = [...s.events].reverse().map((e, i) => ({
      id: `${base}/event/${i}`,
      label: `${e.reason}${e.count > 1 ? ` (×${e.count})` : ''}`,
      description: `${e.object}: ${e.message}`,
      tooltip: `${e.type} ${e.reason} on ${e.object}${e.lastSeen ? ` at ${e.lastSeen}` : ''}\n${e.message}`,
      icon: e.type === 'Warning' ? { id: 'warning', color: 'charts.yellow' } : { id: 'info' },
    }));
    out.push({ id: `${base}/events`, label: 'Events', description: String(s.events.length), icon: { id: 'bell' }, children: events, expanded: false });
  }
  for (const [i, w] of s.watchErrors.entries()) out.push({ id: `${base}/watch/${i}`, label: w, icon: { id: 'lock', color: 'problemsErrorIcon.foreground' } });
  return out;
}

/** The rows of the view, newest session first. */
export function rows(sessions: readonly DeploySession[]): Row[] {
  return sessions.map((session, si) => {
    const base = `deploy/${session.id}`;
    const children: Row[] = [];
    for (const name of Object.keys(STEP_TITLES) as StepName[]) {
      const st = session.steps.get(name);
      if (!st || name === 'rollout' || name === 'smoke') continue;
      if (st.status === 'pending' && session.outcome) continue;
      children.push({
        id: `${base}/step/${name}`,
        label: STEP_TITLES[name],
        description: join([st.detail, ms(st.ms)]),
        ...(st.detail ? { tooltip: st.detail } : {}),
        icon: ICON[st.status],
      });
    }
    for (const f of session.followers) {
      const s = f.snapshot;
      children.push({
        id: `${base}/rollout/${s.namespace}/${s.name}`,
        label: `Rollout ${s.name}${s.revision ? ` (revision ${s.revision})` : ''}`,
        description: s.summary,
        tooltip: join([s.summary, s.changeCause, s.following ? 'following live (watches)' : `stopped following; ${s.requests} API requests`]),
        icon: PHASE_ICON[s.phase],
        contextValue: `modeldock.deploy.rollout.${s.phase}`,
        children: rolloutRows(`${base}/rollout/${s.namespace}/${s.name}`, s, session),
        expanded: true,
        session,
      });
    }
    if (session.smoke) {
      children.push({
        id: `${base}/smoke`,
        label: 'Smoke test',
        description: session.smoke.summary,
        tooltip: join([session.smoke.summary, session.smoke.request?.note, session.smoke.request?.sourceFile && `request from ${session.smoke.request.sourceFile}`]),
        icon: session.smoke.ok ? { id: 'pass-filled', color: 'testing.iconPassed' } : { id: 'error', color: 'testing.iconFailed' },
        contextValue: 'modeldock.deploy.smoke',
        command: { command: 'modeldock.deploy.showResponse', title: 'Show Response', arguments: [session] },
        session,
      });
    } else {
      const smoke = session.steps.get('smoke');
      if (smoke && smoke.status !== 'pending') children.push({ id: `${base}/smoke`, label: 'Smoke test', description: join([smoke.detail, ms(smoke.ms)]), icon: ICON[smoke.status] });
    }
    if (session.forward) {
      children.push({
        id: `${base}/forward`,
        label: `Forwarding 127.0.0.1:${session.forward.localPort}`,
        description: `→ ${session.forward.target}`,
        icon: { id: 'plug' },
        contextValue: 'modeldock.deploy.forward',
        session,
      });
    }
    const ok = session.outcome?.ok;
    const failed = [...session.steps.values()].some((s) => s.status === 'failed');
    const running = !session.outcome && !failed && !session.error && [...session.steps.values()].some((s) => s.status === 'running');
    const summary = session.error ?? (session.outcome ? (ok ? `rolled out ${session.pinned ?? ''}` : session.outcome.rollouts.find((r) => r.phase !== 'complete')?.summary) : running ? 'in progress' : undefined);
    return {
      id: base,
      label: `${session.title} → ${session.context}/${session.namespace}`,
      ...(summary ? { description: summary } : {}),
      tooltip: join([session.image && `image ${session.image}`, session.pinned && `pinned ${session.pinned}`, new Date(session.started).toLocaleString()]),
      icon: ok ? { id: 'rocket', color: 'testing.iconPassed' } : failed || session.error || ok === false ? { id: 'rocket', color: 'testing.iconFailed' } : { id: 'rocket' },
      contextValue: ok ? 'modeldock.deploy.session.ok' : 'modeldock.deploy.session',
      children,
      expanded: si === 0,
      session,
    };
  });
}

