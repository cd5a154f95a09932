import type { CommandSpec } from '../../../platform/commands';
import type { DockerFeature } from '../feature';

export function preflightGpuCommand(feature: DockerFeature): CommandSpec {
  return {
    id: 'modeldock.docker.preflight',
    title: 'Check GPU Support',
    async run(deps) {
      const engine = await feature.session.getEngine();
      const { verdict } = await engine.preflightGpu();
      deps.log.info(`GPU preflight on ${engine.discovered.address}: ${verdict.summary}`);
      for (const d of verdict.details) deps.log.info(`  ${d}`);
      for (const r of verdict.remedy) deps.log.info(`  to do: ${r}`);
      const detail = [...verdict.details, ...(verdict.remedy.length ? ['', 'What to do:', ...verdict.remedy] : [])].join('\n');
      void deps.prompts.modal({ severity: verdict.canServeGpus ? 'info' : 'warning', message: verdict.summary, detail, buttons: [] });
      return verdict;
    },
  };
}
