import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const PEM = '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----';
const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('has the documented defaults and is frozen', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(8000);
    expect(c.http.host).toBe('0.0.0.0');
    expect(c.jwt).toMatchObject({
      algorithms: ['RS256'],
      issuer: 'hexabase-control-plane',
      audiences: ['hexabase-aiops'],
      maxAgeSeconds: 3600,
      key: { kind: 'none' },
      internalTokenPermissions: ['aiops:read'],
      crossWorkspaceSubjects: [],
    });
    expect(c.dataDir).toMatch(/\/data$/);
    expect(Object.isFrozen(c.jwt)).toBe(true);
  });

  it('lists every problem in one error', () => {
    const problems = problemsOf({ PORT: 'eighty', JWT_CLOCK_TOLERANCE_SECONDS: '90', REDIS_URL: 'http://x', JWT_ALGORITHM: 'RS256,none' });
    expect(problems.join('\n')).toMatch(/PORT/);
    expect(problems.join('\n')).toMatch(/JWT_CLOCK_TOLERANCE_SECONDS/);
    expect(problems.join('\n')).toMatch(/REDIS_URL/);
    expect(problems.join('\n')).toMatch(/JWT_ALGORITHM/);
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });

  it('refuses production without a key, saying why', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).join()).toMatch(/no JWT verification key.*never generated in production/);
  });

  describe('production refuses the development fallbacks, saying why', () => {
    const KEY = { NODE_ENV: 'production', JWT_PUBLIC_KEY: PEM };
    const SERVICES = {
      PROMETHEUS_URL: 'http://prometheus:9090',
      DATABASE_URL: 'postgres://u:p@pg:5432/aiops',
      REDIS_URL: 'redis://redis:6379',
    };

    it('names every missing variable in one error, each with its reason', () => {
      const problems = problemsOf({ NODE_ENV: 'production' });
      expect(problems).toHaveLength(4);
      expect(problems[0]).toMatch(/no JWT verification key/);
      expect(problems[1]).toMatch(/^PROMETHEUS_URL is not set: .*synthetic demo data.*AIOPS_DEMO_DATA=true/);
      expect(problems[2]).toMatch(/^DATABASE_URL is not set: .*split across replicas.*AIOPS_SINGLE_INSTANCE=true/);
      expect(problems[3]).toMatch(/^REDIS_URL is not set: .*split across replicas.*AIOPS_SINGLE_INSTANCE=true/);
    });

    it('starts with a key, Prometheus, PostgreSQL and Redis', () => {
      expect(loadConfig({ ...KEY, ...SERVICES })).toMatchObject({ env: 'production', prometheusUrl: SERVICES.PROMETHEUS_URL });
    });

    it('names only what is missing', () => {
      expect(problemsOf({ ...KEY, ...SERVICES, REDIS_URL: ' ' })).toEqual([expect.stringMatching(/^REDIS_URL is not set/)]);
      expect(problemsOf({ ...KEY, ...SERVICES, PROMETHEUS_URL: '' })).toEqual([expect.stringMatching(/^PROMETHEUS_URL is not set/)]);
    });

    it('AIOPS_DEMO_DATA=true admits the demo data, AIOPS_SINGLE_INSTANCE=true the local state: each lifts only its own guard', () => {
      expect(problemsOf({ ...KEY, AIOPS_DEMO_DATA: 'true' }).map((p) => p.split(':')[0])).toEqual([
        'DATABASE_URL is not set',
        'REDIS_URL is not set',
      ]);
      expect(problemsOf({ ...KEY, AIOPS_SINGLE_INSTANCE: 'true' }).map((p) => p.split(':')[0])).toEqual(['PROMETHEUS_URL is not set']);
      expect(loadConfig({ ...KEY, AIOPS_DEMO_DATA: 'true', AIOPS_SINGLE_INSTANCE: '1' }).prometheusUrl).toBeUndefined();
      expect(problemsOf({ ...KEY, ...SERVICES, AIOPS_SINGLE_INSTANCE: 'yes' }).join()).toMatch(/AIOPS_SINGLE_INSTANCE/);
    });

    it('does not apply outside production', () => {
      expect(() => loadConfig({ NODE_ENV: 'development' })).not.toThrow();
      expect(() => loadConfig({ NODE_ENV: 'test' })).not.toThrow();
    });
  });

  it('refuses mixing HMAC and asymmetric algorithms, and a key of the wrong kind', () => {
    expect(problemsOf({ JWT_ALGORITHM: 'RS256,HS256', JWT_PUBLIC_KEY: PEM }).join()).toMatch(/cannot be allowed together/);
    expect(problemsOf({ JWT_ALGORITHM: 'HS256', JWT_PUBLIC_KEY: PEM }).join()).toMatch(/asymmetric/);
    expect(problemsOf({ JWT_ALGORITHM: 'HS256', JWT_JWKS_URL: 'https://idp/jwks' }).join()).toMatch(/asymmetric/);
    expect(problemsOf({ JWT_ALGORITHM: 'HS256', JWT_SECRET_KEY: 'short' }).join()).toMatch(/at least 32 bytes/);
    expect(problemsOf({ JWT_SECRET_KEY: 'not-a-pem-but-rs256-is-configured-here' }).join()).toMatch(/PEM public key/);
    expect(problemsOf({ JWT_PUBLIC_KEY: PEM, JWT_JWKS_URL: 'https://idp/jwks' }).join()).toMatch(/only one of/);
  });

  it('accepts the seed form: a PEM in JWT_SECRET_KEY with RS256, with literal \\n sequences', () => {
    const c = loadConfig({ JWT_SECRET_KEY: PEM.replace(/\n/g, '\\n') });
    expect(c.jwt.key).toEqual({ kind: 'pem', pem: PEM });
  });

  it('parses comma lists and treats blank values as unset', () => {
    const c = loadConfig({
      JWT_AUDIENCE: 'hexabase-aiops, hexabase-aiops-service',
      JWT_ALGORITHM: 'RS256,ES256',
      PROMETHEUS_URL: ' ',
      JWT_JWKS_URL: 'https://cp/.well-known/jwks.json',
    });
    expect(c.jwt.audiences).toEqual(['hexabase-aiops', 'hexabase-aiops-service']);
    expect(c.jwt.algorithms).toEqual(['RS256', 'ES256']);
    expect(c.prometheusUrl).toBeUndefined();
    expect(c.jwt.key).toEqual({ kind: 'jwks', url: 'https://cp/.well-known/jwks.json' });
  });

  it('remediation bounds: the override ceiling defaults to 10 × REMEDIATION_MAX_REPLICAS and cannot be below it; 20 pending per workspace', () => {
    expect(loadConfig({}).remediation).toMatchObject({ maxReplicas: 50, maxReplicasOverride: 500, maxPending: 20 });
    expect(loadConfig({ REMEDIATION_MAX_REPLICAS: '20' }).remediation.maxReplicasOverride).toBe(200);
    expect(loadConfig({ REMEDIATION_MAX_REPLICAS_OVERRIDE: '120', REMEDIATION_MAX_PENDING: '5' }).remediation).toMatchObject({
      maxReplicasOverride: 120,
      maxPending: 5,
    });
    expect(problemsOf({ REMEDIATION_MAX_REPLICAS_OVERRIDE: '10' }).join()).toMatch(
      /REMEDIATION_MAX_REPLICAS_OVERRIDE: the hard ceiling cannot be below REMEDIATION_MAX_REPLICAS/,
    );
    expect(problemsOf({ REMEDIATION_MAX_PENDING: '0' }).join()).toMatch(/REMEDIATION_MAX_PENDING/);
  });

  it('rejects unknown internal-token permissions', () => {
    expect(problemsOf({ JWT_INTERNAL_TOKEN_PERMISSIONS: 'aiops:read,aiops:root' }).join()).toMatch(/JWT_INTERNAL_TOKEN_PERMISSIONS/);
  });

  it("logs source: LOGS_CLICKHOUSE_URL, else the audit's CLICKHOUSE_URL with its credentials, else embedded; database and tenant attribute checked", () => {
    expect(loadConfig({}).logs).toEqual({
      url: undefined,
      user: undefined,
      password: undefined,
      database: 'hexabase_logs',
      tenantAttribute: 'workspace_id',
      demoData: true,
    });
    expect(loadConfig({ CLICKHOUSE_URL: 'http://ch:8123', CLICKHOUSE_USER: 'audit', CLICKHOUSE_PASSWORD: 'a' }).logs).toMatchObject({
      url: 'http://ch:8123',
      user: 'audit',
      password: 'a',
      demoData: false, // the demo events go only into the embedded store
    });
    expect(loadConfig({ LOGS_DEMO_DATA: 'false' }).logs.demoData).toBe(false);
    expect(loadConfig({ PROMETHEUS_URL: 'http://prom:9090' }).logs.demoData).toBe(false);
    const own = loadConfig({
      CLICKHOUSE_URL: 'http://ch:8123',
      CLICKHOUSE_USER: 'audit',
      LOGS_CLICKHOUSE_URL: 'https://logs:8443',
      LOGS_CLICKHOUSE_USER: 'reader',
      LOGS_DATABASE: 'platform_logs',
      LOGS_TENANT_ATTRIBUTE: 'hexabase.workspace.id',
    }).logs;
    expect(own).toEqual({
      url: 'https://logs:8443',
      user: 'reader',
      password: undefined,
      database: 'platform_logs',
      tenantAttribute: 'hexabase.workspace.id',
      demoData: false,
    });
    const problems = problemsOf({ LOGS_CLICKHOUSE_URL: 'ftp://x', LOGS_DATABASE: 'a; DROP', LOGS_TENANT_ATTRIBUTE: "x'] OR 1" }).join('\n');
    for (const name of ['LOGS_CLICKHOUSE_URL', 'LOGS_DATABASE', 'LOGS_TENANT_ATTRIBUTE']) expect(problems).toContain(name);
  });
});
