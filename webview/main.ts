// Entry of the wizard webview bundle (dist/webview/webview.js, built by scripts/build.mjs).
// Only the components the page uses are imported, which keeps the bundle small.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-form-helper/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { WizardApp } from './app';
import { connect } from './host';
import css from './styles.css';

// A constructable stylesheet: CSP style-src does not apply to CSSOM, so no inline <style> or
// 'unsafe-inline' is needed (the same mechanism the components use for their own styles).
const sheet = new CSSStyleSheet();
sheet.replaceSync(css);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  new WizardApp(root, connect()).start();
}
