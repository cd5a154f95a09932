// Mocha runner loaded by the extension host (extensionTestsPath). Both launchers use it: the
// offline code-server one (scripts/run-vscode-tests.mjs) and @vscode/test-electron's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  // Which folder of compiled tests to run: the launcher sets it in the server's environment,
  // which the extension host inherits.
  const suite = process.env.MODELDOCK_TEST_SUITE ?? 'suite';
  const dir = path.join(__dirname, suite);
  const grep = process.env.MODELDOCK_TEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec', ...(grep ? { grep } : {}) });
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats ?? { passes: 0, failures, pending: 0 };
      console.log(`MODELDOCK_RESULT ${JSON.stringify({ suite, passed: stats.passes, failed: stats.failures, pending: stats.pending })}`);
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
  });
}
