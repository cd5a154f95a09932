// The quoting functions (one per place a value lands) and the YAML renderer that fills templates
// as data. Expected outputs were checked against dockerd 20.10's classic builder and BuildKit
// (COPY in JSON form still goes through Docker's word processing), /bin/sh and the yaml library.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { UnsafeValueError, dfComment, dfCopy, dfExec, dfQuoted, dfValue, dockerfileText, dockerignorePattern, pbtxtString, pipRequirementWord, pyString, runSteps, shellWord } from '../../../src/core/scaffold/escape';
import { TemplateError } from '../../../src/core/scaffold/render';
import { renderYaml } from '../../../src/core/scaffold/yamlRender';

const refused = (f: () => unknown, reason: RegExp): void => {
  assert.throws(f, (e: unknown) => e instanceof UnsafeValueError && reason.test(e.message));
};

describe('Dockerfile quoting', () => {
  test('COPY: readable shell form for plain paths, escaped JSON form otherwise', () => {
    assert.equal(dfCopy('f', ['requirements.txt'], './requirements.txt'), 'requirements.txt ./requirements.txt');
    assert.equal(dfCopy('f', ['a b.txt'], './'), '["a b.txt", "./"]');
    assert.equal(dfCopy('f', ["it's $HOME \"q\""], '/x'), String.raw`["it\\'s \\$HOME \\\"q\\\"", "/x"]`);
    // A leading `-` would read as a COPY flag in the shell form.
    assert.equal(dfCopy('f', ['--chown=0:0'], './'), '["--chown=0:0", "./"]');
    refused(() => dfCopy('the model', ['m*.pt'], './'), /the model 'm\*\.pt' contains a glob character/);
    refused(() => dfCopy('f', ['a\\b'], './'), /backslash/);
    refused(() => dfCopy('f', ['a\nRUN x'], './'), /control character/);
  });
  test('LABEL/ENV/ARG values, exec form, comments', () => {
    assert.equal(dfQuoted('v', 'a "b" $c \\ d'), String.raw`"a \"b\" \$c \\ d"`);
    assert.equal(dfValue('v', '/models'), '/models');
    assert.equal(dfValue('v', ''), '""');
    assert.equal(dfValue('v', '/app/my models'), '"/app/my models"');
    refused(() => dfValue('v', 'x\ny'), /control character/);
    assert.equal(dfExec('c', ['python3', 'a"b.py']), '["python3","a\\"b.py"]');
    refused(() => dfExec('c', ['a\rb']), /control character/);
    assert.equal(dfComment('one\nRUN two'), 'one\\u000aRUN two');
  });
  test('RUN words: quoted unless plainly safe; steps joined only by runSteps', () => {
    assert.equal(shellWord('w', 'requirements.txt'), 'requirements.txt');
    assert.equal(shellWord('w', "$(id)'x"), `'$(id)'\\''x'`);
    assert.equal(shellWord('w', '~root'), "'~root'");
    assert.equal(shellWord('w', ''), "''");
    refused(() => shellWord('w', 'a\nb'), /control character/);
    refused(() => pipRequirementWord('the dependency', '--index-url=http://evil'), /starts with "-"/);
    assert.equal(dockerfileText('v', runSteps(['a', 'b'])), 'a \\\n && b');
    refused(() => dockerfileText('v', 'a \\\n && b'), /control character/);
  });
});

describe('other formats', () => {
  test('.dockerignore patterns match the literal path', () => {
    assert.equal(dockerignorePattern('p', 'models/a*b?[c].pt'), 'models/a\\*b\\?\\[c\\].pt');
    assert.equal(dockerignorePattern('p', '!keep'), '\\!keep');
    assert.equal(dockerignorePattern('p', '#x'), '\\#x');
    refused(() => dockerignorePattern('p', 'a\n!secret'), /control character/);
  });
  test('protobuf text and Python strings', () => {
    assert.equal(pbtxtString('in"put\n\\'), 'in\\"put\\012\\\\');
    assert.equal(pyString('models/m.pt'), "'models/m.pt'");
    assert.equal(pyString('a"""b\''), '"a\\"\\"\\"b\'"');
  });
});

describe('YAML templates filled as data', () => {
  const tpl = [
    '# {{comment}}',
    'kind: Thing',
    'metadata:',
    '  name: {{name}}',
    '  labels:',
    '{{#labels}}',
    '    {{key}}: {{value}}',
    '{{/labels}}',
    'spec:',
    '  port: {{port}}',
    '  text: "{{port}}:{{name}}"',
    '  list:',
    '{{#items}}',
    '    - {{.}}',
    '{{/items}}',
    '',
  ].join('\n');
  const hostile = 'x\n---\nkind: Pod\nspec: {hostPID: true}\n# ';

  test('a hostile value stays one string: no document, key or item is created', () => {
    const out = renderYaml(tpl, { comment: `c\n${hostile}`, name: hostile, labels: [{ key: hostile, value: 'yes' }], port: 8080, items: [hostile, '1', 'on', '- a', '1:20'] }, 't.yaml.tmpl');
    const docs = parseAllDocuments(out);
    assert.equal(docs.length, 1);
    assert.deepEqual(docs[0]!.errors, []);
    const v = docs[0]!.toJS() as { metadata: { name: string; labels: Record<string, string> }; spec: { port: number; text: string; list: string[] } };
    assert.deepEqual(Object.keys(v), ['kind', 'metadata', 'spec']);
    assert.equal(v.metadata.name, hostile);
    assert.deepEqual(v.metadata.labels, { [hostile]: 'yes' });
    assert.equal(v.spec.port, 8080, 'a number stays a number');
    assert.equal(v.spec.text, `8080:${hostile}`);
    assert.deepEqual(v.spec.list, [hostile, '1', 'on', '- a', '1:20'], 'strings stay strings');
    // YAML 1.1 readers (Kubernetes) would take these as a boolean or a base-60 number unquoted.
    assert.match(out, /- "on"/);
    assert.match(out, /- "1:20"/);
    assert.match(out, /^# c\\u000ax\\u000a---/m, 'the comment stays one line');
  });

  test('benign values keep the template as written', () => {
    assert.equal(
      renderYaml(tpl, { comment: 'hello', name: 'svc', labels: [{ key: 'app', value: 'svc' }], port: 80, items: ['a', 'b'] }, 't'),
      '# hello\nkind: Thing\nmetadata:\n  name: svc\n  labels:\n    app: svc\nspec:\n  port: 80\n  text: "80:svc"\n  list:\n    - a\n    - b\n',
    );
  });

  test('a value outside a scalar or a comment, or a template holding the reserved text, is a template error', () => {
    assert.throws(() => renderYaml('a: &{{x}} 1\n', { x: 'anchor' }, 't'), TemplateError);
    assert.throws(() => renderYaml('a: __modeldock_value_0__\n', {}, 't'), TemplateError);
    assert.throws(() => renderYaml('a: [\n', {}, 't'), TemplateError);
  });
});
