/** The image and the Kubernetes manifests say what the foundation issue asks of them, and agree with each other and with the config. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../../src/config.js';
import { ROOT } from '../../helpers/process.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML; the tests below assert its shape
type Doc = { kind: string; metadata: { name: string }; spec: Record<string, any>; stringData?: Record<string, string> };
const docs: Doc[] = readdirSync(path.join(ROOT, 'deploy'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(path.join(ROOT, 'deploy', f), 'utf8')).map((d) => d.toJS() as Doc));
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);

describe('deploy/ manifests', () => {
  const deployment = byKind('Deployment')[0]!;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  const podLabels = deployment.spec.template.metadata.labels;
  const selects = (selector: Record<string, string>) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);

  it('a Deployment of 2+ replicas with probes on /health and /health/ready, resources and a Secret', () => {
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits.memory).toBeDefined();
    expect(container.envFrom).toContainEqual({ secretRef: { name: 'ai-ops-secrets' } });
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  });

  it('drains within the termination grace period', () => {
    const shutdown = Number(container.env.find((e: { name: string }) => e.name === 'SHUTDOWN_TIMEOUT_SECONDS').value);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(shutdown);
  });

  it('Service, PodDisruptionBudget and NetworkPolicy select the Deployment pods', () => {
    expect(selects(byKind('Service')[0]!.spec.selector)).toBe(true);
    expect(selects(byKind('PodDisruptionBudget')[0]!.spec.selector.matchLabels)).toBe(true);
    expect(byKind('PodDisruptionBudget')[0]!.spec.minAvailable).toBe(1);
    expect(selects(byKind('NetworkPolicy')[0]!.spec.podSelector.matchLabels)).toBe(true);
    expect(byKind('NetworkPolicy')[0]!.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('satisfies the production guards: the Deployment env and the example Secret make a configuration that loads', () => {
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    const config = loadConfig({ ...env, ...byKind('Secret')[0]!.stringData });
    expect(config.env).toBe('production');
    expect(config).toMatchObject({ prometheusUrl: expect.any(String), redisUrl: expect.any(String), databaseUrl: expect.any(String) });
  });

  it('names only environment variables the service reads', () => {
    const names = [...container.env.map((e: { name: string }) => e.name), ...Object.keys(byKind('Secret')[0]!.stringData ?? {})];
    for (const name of names) expect(CONFIG_VARIABLES, name).toContain(name);
  });
});

describe('Dockerfile', () => {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  it('is multi-stage, production dependencies only, non-root, with prompts/ and a HEALTHCHECK', () => {
    expect(text.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/npm prune --omit=dev|npm ci --omit=dev/);
    expect(text).toMatch(/^USER (?!root)\w+/m);
    expect(text).toMatch(/^COPY .*prompts/m);
    expect(text).toMatch(/^HEALTHCHECK /m);
  });
});

describe('README', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  it('documents every environment variable', () => {
    for (const name of CONFIG_VARIABLES) expect(readme, name).toContain(`\`${name}\``);
  });
  it('gives the test command CI runs', () => {
    expect(readFileSync(path.join(ROOT, '.ci/run'), 'utf8')).toMatch(/^npm test$/m);
    expect(readme).toMatch(/npm install && npm start/);
    expect(readme).toContain('npm test');
  });
});
