import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { render, TemplateError } from '../../../src/core/scaffold/render';
import { findTemplatesDir, mapTemplateSource, nodeTemplateSource, overlayTemplateSource } from '../../../src/core/scaffold/templates';

describe('render', () => {
  test('vars, dotted names, sections, inverted sections, lists', () => {
    const out = render('a={{a}} b={{o.b}}\n{{#on}}\nyes\n{{/on}}\n{{^off}}\nno\n{{/off}}\n{{#xs}}\n- {{.}}\n{{/xs}}\n{{#objs}}\n* {{n}}\n{{/objs}}\n', {
      a: 1,
      o: { b: 'x' },
      on: true,
      off: false,
      xs: ['p', 'q'],
      objs: [{ n: 'r' }],
    });
    assert.equal(out, 'a=1 b=x\nyes\nno\n- p\n- q\n* r\n');
  });
  test('unknown names and unbalanced sections throw', () => {
    assert.throws(() => render('{{nope}}', {}), TemplateError);
    assert.throws(() => render('{{#a}}x', { a: true }), TemplateError);
    assert.throws(() => render('{{/a}}', { a: true }), TemplateError);
  });
  test('linear on a hostile template (an override from a workspace): unclosed and space-padded tags', () => {
    const src = `${'{{ '.repeat(50_000)}${' '.repeat(200_000)}{{#a}}${'{{x } '.repeat(20_000)}`;
    const t0 = performance.now();
    assert.throws(() => render(src, {}), TemplateError);
    // A ceiling against a hang (the old lazy tag pattern backtracked here), not a benchmark.
    assert.ok(performance.now() - t0 < 10_000);
  });
  test('partials render with the current context', () => {
    assert.equal(render('x {{> p}} y', { v: 2 }, 't', () => '[{{v}}]'), 'x [2] y');
  });
});

describe('template sources', () => {
  test('the repo templates are found from the module and from dist/', () => {
    assert.ok(findTemplatesDir(__dirname));
    assert.ok(nodeTemplateSource().has('common/dockerignore.tmpl'));
    assert.equal(nodeTemplateSource().has('../package.json'), false);
  });
  test('overlay prefers overrides', () => {
    const t = overlayTemplateSource(mapTemplateSource({ 'common/x.tmpl': 'mine' }), mapTemplateSource({ 'common/x.tmpl': 'base', 'y.tmpl': 'y' }));
    assert.equal(t.read('common/x.tmpl'), 'mine');
    assert.equal(t.read('y.tmpl'), 'y');
  });
});
