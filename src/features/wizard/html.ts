import { randomBytes } from 'node:crypto';

/** A fresh CSP nonce per page load: 128 random bits, base64 (what CSP nonces expect). */
export function makeNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  // No 'unsafe-inline' anywhere. The Lit components of @vscode-elements style themselves with
  // constructable stylesheets (adoptedStyleSheets); CSP style-src governs <style>/<link> and style
  // attributes, not CSSOM, so they render without loosening style-src (checked in the real
  // workbench by test/vscode/suite/wizard.test.ts screenshots). The nonce in style-src is only
  // for Lit's <style> fallback on engines without adoptedStyleSheets.
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The wizard's page: one nonce'd module script from dist/webview, no inline script or style. */
export function wizardHtml(o: { cspSource: string; nonce: string; scriptUri: string; title: string }): string {
  const nonce = escapeAttr(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(o.cspSource, o.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeAttr(o.title)}</title>
</head>
<body>
<main id="app" aria-busy="true" aria-label="${escapeAttr(o.title)}">Loading…</main>
<script type="module" nonce="${nonce}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>
`;
}
