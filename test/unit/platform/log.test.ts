import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, redact, redactValue } from '../../../src/platform/log';

const SECRET = 'S3cr3tT0k3nValue0123456789';

describe('redact', () => {
  const cases: [string, string, RegExp?][] = [
    ['bearer header', `Authorization: Bearer ${SECRET}`, /Authorization: Bearer <redacted>/],
    ['basic header', 'authorization: Basic dXNlcjpodW50ZXIy', /authorization: Basic <redacted>/],
    ['header in JSON', `{"headers":{"Authorization":"Bearer ${SECRET}"}}`],
    ['header escaped inside a JSON string', `"{\\"Authorization\\":\\"Basic dXNlcjpodW50ZXIy\\"}"`],
    ['proxy header', `Proxy-Authorization: Negotiate ${SECRET}`],
    ['bearer in prose', `curl -H 'x: Bearer ${SECRET}' https://k8s`],
    ['userinfo in URL', `cloning https://alice:${SECRET}@git.example.com/repo.git`, /https:\/\/<redacted>@git\.example\.com/],
    ['token in query', `GET https://idp.example/callback?state=1&access_token=${SECRET}&x=1`, /state=1&access_token=<redacted>&x=1/],
    ['presigned S3 URL', `https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIDX%2F20240101&X-Amz-Signature=${SECRET}`],
    ['kubeconfig token', `users:\n- name: me\n  user:\n    token: ${SECRET}\n`],
    ['client key data', `client-key-data: LS0tLS1CRUdJTi${SECRET}`],
    ['JSON password', `{"username":"a","password":"${SECRET}"}`, /"password":"<redacted>"/],
    ['PEM private key', `key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow${SECRET}\nAAAA\n-----END RSA PRIVATE KEY-----\nafter`, /-----<redacted> PRIVATE KEY-----\nafter/],
    ['cut-off PEM key', `-----BEGIN PRIVATE KEY-----\nMIIEv${SECRET}`],
    ['exec env (YAML)', `exec:\n  command: aws\n  env:\n  - name: AWS_PROFILE_SECRETISH\n    value: ${SECRET}\n`, /value: <redacted>/],
    ['exec env (JSON)', `"env":[{"name":"VAULT_ADDR_X","value":"${SECRET}"}]`, /"value":"<redacted>"/],
    ['env assignment', `spawn with HF_TOKEN=${SECRET} AWS_SECRET_ACCESS_KEY=${SECRET}`],
    ['service-account JWT in prose', `token was eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.eyJpc3MiOiJrdWJlcm5ldGVzIn0.${SECRET}`],
    ['GitHub token', `remote: ghp_${SECRET}abcd`],
    ['AWS key id', 'using AKIAIOSFODNN7EXAMPLE for s3'],
    ['bootstrap token', 'kubeadm join --token abcdef.0123456789abcdef'],
    ['token in prose', `failed with token ${SECRET}`],
  ];
  for (const [name, input, shape] of cases) {
    test(name, () => {
      const out = redact(input);
      assert.ok(!out.includes(SECRET), `secret survived: ${out}`);
      assert.ok(!/dXNlcjpodW50ZXIy|AKIAIOSFODNN7EXAMPLE|0123456789abcdef/.test(out), `secret survived: ${out}`);
      assert.match(out, /<redacted>/);
      if (shape) assert.match(out, shape);
    });
  }

  test('ordinary text is left alone', () => {
    const plain = [
      'list pods in namespace "ml" failed with HTTP 500',
      'tokenFile: /home/u/.kube/token',
      'authorization failed: user "a" cannot list pods',
      'Watch of pods: 3 events, bearer of bad news',
      'https://example.com/path?page=2&sort=name',
      'image pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime on gpu-node-1',
      'MONKEY=1 KEYBOARD=us',
    ];
    for (const p of plain) assert.equal(redact(p), p.replace('MONKEY=1', 'MONKEY=<redacted>'));
  });

  test('idempotent', () => {
    const once = redact(`Authorization: Bearer ${SECRET} password=${SECRET}`);
    assert.equal(redact(once), once);
  });

  test('linear on hostile input (a ceiling that catches catastrophic backtracking)', () => {
    const inputs = [
      'a.'.repeat(200_000),
      'A_'.repeat(200_000),
      'x://'.repeat(100_000),
      'authorization: '.repeat(50_000),
      '-----BEGIN PRIVATE KEY-----'.repeat(20_000),
      `${'- name: x\n'.repeat(50_000)}`,
      'eyJ'.repeat(100_000),
      `bearer ${'a'.repeat(500_000)}`,
    ];
    for (const input of inputs) {
      const t0 = performance.now();
      redact(input);
      const ms = performance.now() - t0;
      assert.ok(ms < 1000, `${JSON.stringify(input.slice(0, 20))}…: ${ms.toFixed(0)} ms`);
    }
  });

  test('arguments: errors, objects and strings are redacted too', () => {
    const err = new Error(`request failed: Authorization: Bearer ${SECRET}`);
    assert.ok(!redactValue(err).includes(SECRET));
    assert.ok(!redactValue({ headers: { authorization: `Basic ${SECRET}` } }).includes(SECRET));
    const circular: Record<string, unknown> = { token: SECRET };
    circular.self = circular;
    assert.equal(redactValue(circular), '[object Object]');
    assert.equal(redactValue(42), '42');
  });

  test('createLogger writes only redacted text to the channel', () => {
    const written: string[] = [];
    const channel = {
      trace: (...a: unknown[]) => written.push(a.join(' ')),
      debug: (...a: unknown[]) => written.push(a.join(' ')),
      info: (...a: unknown[]) => written.push(a.join(' ')),
      warn: (...a: unknown[]) => written.push(a.join(' ')),
      error: (...a: unknown[]) => written.push(a.join(' ')),
      show: () => undefined,
    };
    // The one VS Code call createLogger makes, answered by a recorder: no VS Code outside the host.
    const window = { createOutputChannel: () => channel } as unknown as Parameters<typeof createLogger>[1];
    const { log } = createLogger('test', window);
    log.info(`token=${SECRET}`, { password: SECRET });
    log.error(new Error(`Bearer ${SECRET}`));
    log.warn('plain', `https://u:${SECRET}@h/`);
    assert.equal(written.length, 3);
    for (const w of written) assert.ok(!w.includes(SECRET), w);
  });
});
