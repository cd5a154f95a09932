import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { activated, uiText, waitFor, workspaceRoot } from './helpers';

describe('workspace detection', () => {
  it('detects the example project and shows it in the status bar', async () => {
    const { api } = await activated();
    const report = await waitFor('a detection report', () => api.detection());
    assert.equal(report.primary, 'scikit-learn');
    assert.equal(report.accelerator, 'cpu');
    const sk = report.frameworks.find((f) => f.name === 'scikit-learn');
    assert.equal(sk?.version, '1.9.1');
    assert.ok(sk?.evidence.some((e) => e.file === 'requirements.txt' && typeof e.line === 'number'));
    // The real status bar of the workbench, read through the page.
    await uiText('.statusbar-item', /scikit-learn 1\.9\.1 · CPU/);
  });

  it('re-detects when a dependency file changes on disk', async () => {
    const { api } = await activated();
    const req = path.join(workspaceRoot().fsPath, 'requirements.txt');
    const original = fs.readFileSync(req, 'utf8');
    try {
      fs.writeFileSync(req, `${original}--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==2.3.1+cu121\n`);
      const r = await waitFor('pytorch detected after the change', () => {
        const d = api.detection();
        return d?.primary === 'pytorch' ? d : undefined;
      });
      assert.equal(r.accelerator, 'gpu');
      assert.equal(r.cuda, '12.1');
      await uiText('.statusbar-item', /PyTorch 2\.3\.1 · GPU \(CUDA 12\.1\)/);
    } finally {
      fs.writeFileSync(req, original);
    }
    await waitFor('scikit-learn detected again', () => api.detection()?.primary === 'scikit-learn' || undefined);
  });
});
