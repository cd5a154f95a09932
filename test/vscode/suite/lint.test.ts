import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activated, removeFromWorkspace, waitFor, workspaceRoot } from './helpers';

const BROKEN = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: trainer
spec:
  replicas: three
  selector:
    matchLabels:
      app: trainer
  template:
    metadata:
      labels:
        app: trainer
    spec:
      contianers:
        - name: main
          image: pytorch/pytorch:latest
`;

const FRACTIONAL = `apiVersion: v1
kind: Pod
metadata:
  name: gpu-pod
spec:
  containers:
    - name: main
      image: pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime
      resources:
        requests:
          nvidia.com/gpu: 0.5
        limits:
          nvidia.com/gpu: 0.5
`;

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'ModelDock');
}

function rule(d: vscode.Diagnostic): string {
  return String(typeof d.code === 'object' ? d.code.value : d.code);
}

describe('YAML lint in the editor', () => {
  const file = (name: string) => path.join(workspaceRoot().fsPath, name);
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await removeFromWorkspace('broken.yaml', 'gpu.yaml', 'latest.yaml');
  });

  it('shows schema diagnostics on the offending key and value', async () => {
    await activated();
    fs.writeFileSync(file('broken.yaml'), BROKEN);
    const doc = await vscode.workspace.openTextDocument(file('broken.yaml'));
    await vscode.window.showTextDocument(doc);
    const diags = await waitFor('ModelDock diagnostics', () => (ours(doc.uri).length >= 2 ? ours(doc.uri) : undefined));
    const replicas = diags.find((d) => /replicas/.test(d.message) && /integer/.test(d.message));
    assert.ok(replicas, `no replicas message in ${diags.map((d) => d.message).join(' | ')}`);
    assert.equal(replicas.range.start.line, 5);
    const typo = diags.find((d) => /contianers/.test(d.message));
    assert.ok(typo, 'no unknown-field diagnostic for contianers');
    assert.match(typo.message, /did you mean `containers`/);
    assert.equal(typo.range.start.line, 14);
    assert.ok(diags.every((d) => d.source === 'ModelDock' && rule(d).length > 0));
  });

  it('offers a quick fix for a fractional GPU and applies it', async () => {
    fs.writeFileSync(file('gpu.yaml'), FRACTIONAL);
    const doc = await vscode.workspace.openTextDocument(file('gpu.yaml'));
    await vscode.window.showTextDocument(doc);
    const diag = await waitFor('gpu-fractional', () => ours(doc.uri).find((d) => rule(d) === 'gpu-fractional'));
    const before = ours(doc.uri).filter((d) => rule(d) === 'gpu-fractional').length;
    const line = diag.range.start.line;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => /nvidia\.com\/gpu/.test(a.title) && a.kind?.value === vscode.CodeActionKind.QuickFix.value);
    assert.ok(fix?.edit, `no quick fix among ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    // requests and limits are each flagged; the fix rounds the one it is attached to.
    await waitFor('one gpu-fractional fewer', () => (ours(doc.uri).filter((d) => rule(d) === 'gpu-fractional').length === before - 1 ? true : undefined));
    assert.match(doc.lineAt(line).text, /nvidia\.com\/gpu: "?1"?\s*$/);
    assert.ok(!ours(doc.uri).some((d) => rule(d) === 'gpu-fractional' && d.range.start.line === line));
  });

  it('pins a :latest image to the tag the user gives (the image-latest quick fix)', async () => {
    fs.writeFileSync(file('latest.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: main\n      image: pytorch/pytorch:latest\n      resources:\n        requests: {cpu: "1"}\n        limits: {cpu: "1"}\n');
    const doc = await vscode.workspace.openTextDocument(file('latest.yaml'));
    await vscode.window.showTextDocument(doc);
    const diag = await waitFor('image-latest', () => ours(doc.uri).find((d) => rule(d) === 'image-latest'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    const pin = actions.find((a) => a.command?.command === 'modeldock.lint.pinImageTag');
    assert.ok(pin?.command, `no pin-tag action among ${actions.map((a) => a.title).join(', ')}`);
    // The action asks for the tag; the command takes it as an argument too (what the InputBox returns).
    const [uri, finding] = pin.command.arguments as [vscode.Uri, unknown];
    assert.ok(await vscode.commands.executeCommand('modeldock.lint.pinImageTag', uri, finding, '2.3.1-cuda12.1-cudnn8-runtime'));
    assert.match(doc.getText(), /image: pytorch\/pytorch:2\.3\.1-cuda12\.1-cudnn8-runtime/);
    await waitFor('image-latest to clear', () => (ours(doc.uri).some((d) => rule(d) === 'image-latest') ? undefined : true));
  });
});
