/** Which PostgreSQL failures are an outage (503, retry) and which are a bug in the statement (500). */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isPostgresUnavailable } from '../../../src/clients/postgres.js';

const dbError = (code: string, message = 'x') => Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });

describe('isPostgresUnavailable', () => {
  it.each([
    ['refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['terminated connection', new Error('Connection terminated unexpectedly')],
    ['pool wait exceeded', new Error('timeout exceeded when trying to connect')],
    ['terminated backend (57P01)', dbError('57P01', 'terminating connection due to administrator command')],
    ['server starting up (57P03)', dbError('57P03', 'the database system is starting up')],
    ['too many connections (53300)', dbError('53300')],
    ['connection failure (08006)', dbError('08006')],
  ])('%s → unavailable', (_, err) => expect(isPostgresUnavailable(err)).toBe(true));

  it.each([
    ['syntax error (42601)', dbError('42601', 'syntax error at or near "SELEC"')],
    ['unique violation (23505)', dbError('23505', 'duplicate key value violates unique constraint')],
    ['a plain programming error', new TypeError('cannot read properties of undefined')],
  ])('%s → not unavailable', (_, err) => expect(isPostgresUnavailable(err)).toBe(false));
});
