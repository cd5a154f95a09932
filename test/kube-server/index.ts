export { KubeTestServer, startKubeTestServer, type ForbidRule, type PodSpecInput, type RequestRecord, type KubeTestServerOptions } from './server';
export { generateCerts, type TestCerts } from './certs';
