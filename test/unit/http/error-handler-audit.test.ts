/** An action the audit trail cannot record (fail closed) is a 503 with Retry-After and the audit reason, never a 500. */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AuditUnavailableError } from '../../../src/audit/event.js';
import { registerErrorHandling } from '../../../src/http/error-handler.js';

describe('error handler: audit trail unavailable', () => {
  it('maps AuditUnavailableError thrown by a handler to 503 audit_<reason> with Retry-After', async () => {
    const app = Fastify({ logger: false });
    registerErrorHandling(app);
    app.get('/act', async () => {
      throw new AuditUnavailableError('spool_full', 'audit spool is full (1048000 of 1048576 bytes unshipped)');
    });
    const res = await app.inject({ url: '/act' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ statusCode: 503, reason: 'audit_spool_full' });
    expect(res.body).not.toContain('1048000'); // the spool's internals stay in the log
    await app.close();
  });
});
