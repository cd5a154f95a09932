import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DockerUserError, translateDockerError } from '../../../src/docker/errors';

const ctx = { address: 'unix:///var/run/docker.sock', image: 'iris:dev', hostPorts: [8080] };
const kindOf = (err: unknown) => (err instanceof DockerUserError ? err.kind : undefined);

describe('engine error translation', () => {
  test('connection errors', () => {
    const down = translateDockerError(Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT', syscall: 'connect' }), ctx);
    assert.equal(kindOf(down), 'engine-down');
    assert.equal((down as DockerUserError).message, 'Cannot reach the Docker engine at unix:///var/run/docker.sock.');
    assert.match((down as DockerUserError).hint ?? '', /Start Docker Desktop.*sudo systemctl start docker.*dockerd/);
    assert.equal(kindOf(translateDockerError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), ctx)), 'engine-down');
    const denied = translateDockerError(Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' }), ctx);
    assert.equal(kindOf(denied), 'permission-denied');
    assert.match((denied as DockerUserError).hint ?? '', /sudo usermod -aG docker \$USER/);
  });

  test('engine answers', () => {
    const gpu = translateDockerError(Object.assign(new Error('(HTTP code 500) server error - could not select device driver "" with capabilities: [[gpu]] '), { statusCode: 500, json: { message: 'could not select device driver "" with capabilities: [[gpu]]' } }), ctx);
    assert.equal(kindOf(gpu), 'gpu-unavailable');
    assert.match((gpu as DockerUserError).hint ?? '', /NVIDIA Container Toolkit/);
    const port = translateDockerError(new Error('driver failed programming external connectivity: Bind for 127.0.0.1:8080 failed: port is already allocated'), ctx);
    assert.equal(kindOf(port), 'port-in-use');
    assert.match((port as DockerUserError).message, /8080/);
    assert.equal(kindOf(translateDockerError(Object.assign(new Error('(HTTP code 404) no such image - No such image: iris:dev'), { statusCode: 404 }), ctx)), 'image-not-found');
    assert.equal(kindOf(translateDockerError(Object.assign(new Error('(HTTP code 404) no such container - No such container: abc'), { statusCode: 404 }), ctx)), 'container-not-found');
  });

  test('unknown errors pass through untouched', () => {
    const e = new Error('something else');
    assert.equal(translateDockerError(e, ctx), e);
  });
});
