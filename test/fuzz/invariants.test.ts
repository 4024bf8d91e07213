/**
 * The fuzz suite's oracle: which answers count as violations (so a green fuzz run means what it says).
 */
import { describe, expect, it } from 'vitest';
import { checkAnswer, type Variant } from './invariants.js';
import type { Operation } from './operations.js';
import type { Received, SentRequest } from './send.js';

const OP: Operation = {
  id: 'POST /workspaces/{workspace_id}/remediate',
  method: 'POST',
  path: '/workspaces/{workspace_id}/remediate',
  parameters: [
    { name: 'workspace_id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$' } },
  ],
  body: {
    required: true,
    schema: {
      type: 'object',
      properties: {
        actions: {
          type: 'array',
          items: { type: 'object', properties: { target_resource: { type: 'string', pattern: '^[a-z]+\\/[A-Za-z0-9._-]+$' } } },
        },
      },
    },
  },
  guarded: true,
  scope: 'aiops:remediate',
  responses: { 401: { type: 'object', properties: { valid: {}, reason: {}, message: {} }, required: ['valid', 'reason', 'message'] } },
  hidden: false,
};

const sent = (over: Partial<SentRequest> = {}): SentRequest => ({
  op: OP,
  method: 'POST',
  url: '/workspaces/ws-a/remediate',
  pathParams: { workspace_id: 'ws-a' },
  query: [],
  headers: {},
  body: null,
  bodyValue: null,
  claims: null,
  ...over,
});
const answer = (status: number, body: unknown, headers: Record<string, string> = {}): Received => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r-1', ...headers },
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  ms: 1,
});
const error = (statusCode: number, extra: Record<string, unknown> = {}) => ({
  error: 'E',
  message: 'm',
  statusCode,
  requestId: 'r-1',
  ...extra,
});
const kinds = (res: Received, variant: Variant = 'embedded', req = sent()) => checkAnswer(req, res, variant, '/srv/app').map((v) => v.kind);

describe('the oracle', () => {
  it('a 500 is a violation; 501 needs_prometheus only on the embedded default; upstream 5xx only against Prometheus, 503 with Retry-After', () => {
    expect(kinds(answer(500, error(500)))).toEqual(['server_error']);
    expect(kinds(answer(501, error(501, { reason: 'needs_prometheus' })))).toEqual([]);
    expect(kinds(answer(501, error(501, { reason: 'needs_prometheus' })), 'prometheus')).toEqual(['server_error']);
    expect(kinds(answer(504, error(504, { reason: 'timeout' })), 'prometheus')).toEqual([]);
    expect(kinds(answer(504, error(504, { reason: 'timeout' })))).toEqual(['server_error']);
    expect(kinds(answer(503, error(503, { reason: 'unavailable' })), 'prometheus')).toEqual(['server_error']);
    expect(kinds(answer(503, error(503, { reason: 'unavailable' }), { 'retry-after': '10' }), 'prometheus')).toEqual([]);
    expect(kinds(answer(503, error(503, { reason: 'run_store_unavailable' }), { 'retry-after': '10' }), 'prometheus')).toEqual([
      'server_error',
    ]);
  });

  it('errors must be {error, message, statusCode, requestId} with the X-Request-Id, or the declared error schema', () => {
    expect(kinds(answer(400, error(400)))).toEqual([]);
    expect(kinds(answer(400, { error: 'Bad Request', message: 'm', statusCode: 400 }))).toEqual(['error_shape']);
    expect(kinds(answer(400, error(400, { requestId: 'other' })))).toEqual(['error_shape']);
    expect(kinds(answer(404, error(400)))).toEqual(['error_shape']);
    expect(kinds(answer(413, 'Payload Too Large', { 'content-type': 'text/plain' }))).toEqual(['error_shape']);
    expect(kinds(answer(401, { valid: false, reason: 'expired', message: 'm' }))).toEqual([]);
    expect(kinds(answer(401, { valid: false }))).toEqual(['error_shape']);
    expect(kinds(answer(200, '{"broken"'))).toEqual(['bad_json']);
  });

  it('no stack traces or source paths in errors', () => {
    expect(kinds(answer(400, error(400, { message: 'x\n    at handler (/srv/app/src/routes/x.ts:10:5)' })))).toEqual(['stack_trace']);
    expect(kinds(answer(400, error(400, { message: 'see /srv/app/src/x.ts' })))).toEqual(['stack_trace']);
    expect(kinds(answer(400, error(400, { message: 'step "at 10:20:30" is not a duration' })))).toEqual([]);
  });

  it('a dot segment accepted in a pattern-constrained identifier is a violation; refused, it is not', () => {
    const dots = sent({ bodyValue: { actions: [{ target_resource: 'deployment/..' }] } });
    expect(kinds(answer(201, { id: 'x' }), 'embedded', dots)).toEqual(['traversal_accepted']);
    expect(kinds(answer(400, error(400)), 'embedded', dots)).toEqual([]);
    expect(kinds(answer(201, { id: 'x' }), 'embedded', sent({ bodyValue: { actions: [{ target_resource: 'deployment/a..b' }] } }))).toEqual(
      [],
    );
    expect(kinds(answer(200, 'root:x:0:0:root:/root:/bin/bash', { 'content-type': 'text/plain' }))).toEqual(['traversal_accepted']);
  });
});
