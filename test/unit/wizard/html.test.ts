import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, wizardHtml } from '../../../src/features/wizard/html';

describe('wizard HTML', () => {
  const src = 'https://file+.vscode-resource.vscode-cdn.net';

  test('nonces are fresh, 128-bit, base64', () => {
    const a = makeNonce();
    const b = makeNonce();
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a, 'base64').length, 16);
  });

  test('the CSP is strict: no unsafe-inline/eval, nothing by default, the script only by nonce', () => {
    const csp = contentSecurityPolicy(src, 'N0nce');
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-N0nce'(;|$)/);
    assert.match(csp, new RegExp(`style-src ${src.replace(/[.+]/g, '\\$&')} 'nonce-N0nce'`));
    assert.match(csp, /img-src \S+ data:/);
    assert.doesNotMatch(csp, /unsafe-/);
  });

  test('one nonce-tagged module script from the bundle, no inline script or style', () => {
    const page = wizardHtml({ cspSource: src, nonce: 'abc+/=', scriptUri: `${src}/ext/dist/webview/webview.js`, title: 'Containerize Model' });
    const scripts = [...page.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.equal(scripts[0]![1], '', 'inline script content');
    assert.match(scripts[0]![0], /nonce="abc\+\/="/);
    assert.match(scripts[0]![0], /src="[^"]*dist\/webview\/webview\.js"/);
    assert.doesNotMatch(page, /<style|style="/);
    assert.match(page, /http-equiv="Content-Security-Policy"/);
  });
});
