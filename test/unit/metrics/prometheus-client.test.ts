/** Transport behaviour of the Prometheus client against a local HTTP server that misbehaves on purpose. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusClient, PrometheusError } from '../../../src/clients/prometheus.js';
import { DEAD_URL } from '../../helpers/services.js';

let server: Server;
let base: string;
let handler: (req: IncomingMessage, res: ServerResponse, body: string) => void;
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      hits++;
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ok = (data: unknown) => JSON.stringify({ status: 'success', data });
const failWith = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err as PrometheusError;
  }
  throw new Error('expected a PrometheusError');
};

describe('PrometheusClient', () => {
  it('POSTs form-encoded queries and returns data', async () => {
    let seen = '';
    handler = (req, res, body) => {
      seen = `${req.method} ${req.url} ${body}`;
      res.end(ok({ resultType: 'vector', result: [] }));
    };
    const data = await new PrometheusClient({ baseUrl: base }).rangeQuery('up{a="b"}', 10, 20, 5);
    expect(data).toEqual({ resultType: 'vector', result: [] });
    expect(seen).toBe('POST /api/v1/query_range query=up%7Ba%3D%22b%22%7D&start=10&end=20&step=5');
  });

  it('retries 503 a bounded number of times, then reports the upstream status and message', async () => {
    hits = 0;
    handler = (_req, res) => {
      res.statusCode = 503;
      res.end(JSON.stringify({ status: 'error', errorType: 'unavailable', error: 'too many queries' }));
    };
    const err = await failWith(new PrometheusClient({ baseUrl: base, maxRetries: 2 }).instantQuery('up', 1));
    expect(hits).toBe(3);
    expect(err.kind).toBe('upstream');
    expect(err.message).toContain('too many queries');
    expect(err.context).toMatchObject({ endpoint: 'query', query: 'up', upstreamStatus: 503, errorType: 'unavailable' });
  });

  it('recovers when a retry succeeds', async () => {
    hits = 0;
    handler = (_req, res) => {
      if (hits === 1) {
        res.statusCode = 502;
        return res.end('bad gateway');
      }
      res.end(ok({ resultType: 'scalar', result: [1, '1'] }));
    };
    expect(await new PrometheusClient({ baseUrl: base }).instantQuery('1', 1)).toMatchObject({ resultType: 'scalar' });
    expect(hits).toBe(2);
  });

  it('does not retry a bad query (422) and says why', async () => {
    hits = 0;
    handler = (_req, res) => {
      res.statusCode = 422;
      res.end(JSON.stringify({ status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' }));
    };
    const err = await failWith(new PrometheusClient({ baseUrl: base }).rangeQuery('a / b', 1, 2, 1));
    expect(hits).toBe(1);
    expect(err.kind).toBe('bad_query');
    expect(err.context.range).toEqual({ start: 1, end: 2, step: 1 });
  });

  it('times out', async () => {
    handler = () => undefined; // never answers
    const err = await failWith(new PrometheusClient({ baseUrl: base, timeoutMs: 200, maxRetries: 0 }).instantQuery('up', 1));
    expect(err.kind).toBe('timeout');
    expect(err.message).toContain('200 ms');
  });

  it('caps the response size', async () => {
    handler = (_req, res) => res.end(ok({ resultType: 'vector', result: 'x'.repeat(200_000) }));
    const err = await failWith(new PrometheusClient({ baseUrl: base, maxResponseBytes: 100_000 }).instantQuery('up', 1));
    expect(err.kind).toBe('too_large');
    expect(err.message).toMatch(/select fewer series or use a larger step/);
  });

  it('reports an unreachable server after retrying', async () => {
    const err = await failWith(new PrometheusClient({ baseUrl: DEAD_URL.http, maxRetries: 1 }).instantQuery('up', 1));
    expect(err.kind).toBe('unreachable');
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});
