/** The one error table: each domain error's status, body fields and headers (the answers clients rely on). */
import { describe, expect, it } from 'vitest';
import { AuditUnavailableError } from '../../../src/audit/event.js';
import { AuthError } from '../../../src/auth/auth-error.js';
import { ThreadBusy, ThreadNotFound } from '../../../src/chat/thread-errors.js';
import { httpAnswerOf } from '../../../src/http/error-table.js';
import { HttpError } from '../../../src/http/http-errors.js';
import { LimitExceededError } from '../../../src/limits/limit-exceeded.js';
import { MetricsError } from '../../../src/metrics/metrics-error.js';
import { RemediationError } from '../../../src/remediation/errors.js';
import { DependencyUnavailable } from '../../../src/resilience/dependency-unavailable.js';
import { RunsDraining } from '../../../src/runs/runs-draining.js';

describe('error table', () => {
  it('maps each domain error to its status, reason and headers', () => {
    const cases: [Error, number, Record<string, unknown>, Record<string, string>][] = [
      [new AuthError('expired', 'token expired'), 401, { reason: 'expired' }, { 'WWW-Authenticate': expect.stringContaining('expired') }],
      [new AuthError('key_source_unavailable', 'no JWKS'), 503, { reason: 'key_source_unavailable' }, { 'Retry-After': '5' }],
      [new MetricsError('unavailable', 'down'), 503, { reason: 'unavailable' }, { 'Retry-After': '10' }],
      [new MetricsError('limit_exceeded', 'too long', { limit: 'range' }), 400, { reason: 'limit_exceeded', limit: 'range' }, {}],
      [new AuditUnavailableError('spool_full', 'internals'), 503, { reason: 'audit_spool_full' }, { 'Retry-After': '5' }],
      [
        new DependencyUnavailable('chat_store', { cause: new Error('x') }),
        503,
        { reason: 'chat_store_unavailable' },
        { 'Retry-After': '10' },
      ],
      [new RunsDraining(), 503, { reason: 'shutting_down' }, { 'Retry-After': '5', Connection: 'close' }],
      [
        new LimitExceededError('rate_limited', 'read_per_minute', 7, 'slow down'),
        429,
        { reason: 'rate_limited', limit: 'read_per_minute', retry_after_seconds: 7 },
        { 'Retry-After': '7' },
      ],
      [new RemediationError('denied', 'four_eyes', 'someone else'), 403, { reason: 'four_eyes' }, {}],
      [
        new RemediationError('limited', 'limit_exceeded', 'full', { max: 3 }, 60),
        429,
        { reason: 'limit_exceeded', max: 3 },
        { 'Retry-After': '60' },
      ],
      [new RemediationError('conflict', 'not_pending', 'decided'), 409, { reason: 'not_pending' }, {}],
      [new ThreadNotFound('t1'), 404, {}, {}],
      [new ThreadBusy('t1'), 409, { reason: 'thread_busy' }, { 'Retry-After': '2' }],
      [new HttpError(406, 'no', { reason: 'not_acceptable' }), 406, { reason: 'not_acceptable' }, {}],
    ];
    for (const [err, statusCode, extra, headers] of cases) {
      expect(httpAnswerOf(err), err.name).toMatchObject({ statusCode, message: expect.any(String), extra, headers });
    }
  });

  it('keeps internals out of the message and leaves unknown errors to the handler', () => {
    expect(httpAnswerOf(new AuditUnavailableError('io_error', 'EIO at /var/spool'))?.message).not.toContain('EIO');
    expect(httpAnswerOf(new Error('boom'))).toBeUndefined();
    expect(httpAnswerOf('not an error')).toBeUndefined();
  });
});
