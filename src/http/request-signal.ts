/**
 * The signal of the work a request does inline (routes that fetch and analyse before answering): it
 * aborts when the client goes away before its answer is complete — the response closes unfinished —
 * and when the request's time budget runs out. The work (metrics fetches, the analysers on the
 * worker pool) stops with it instead of running on for nobody.
 */
import type { FastifyReply } from 'fastify';
import { ClientGone, timedOut } from '../budget/abort-reason.js';
import { deadline } from '../budget/deadline.js';
import { HttpError } from './http-errors.js';

export function requestSignal(reply: FastifyReply, timeoutMs: number): AbortSignal {
  const gone = new AbortController();
  const budget = deadline(timeoutMs, gone.signal);
  reply.raw.once('close', () => {
    budget.clear();
    if (!reply.raw.writableFinished) gone.abort(new ClientGone());
  });
  return budget.signal;
}

/**
 * Runs `work` under the signal; when it fails because the signal fired, the failure is 504 `timeout`
 * (budget spent) or 499 `client_gone` (nobody is left to read it) instead of whatever the
 * interrupted step threw.
 */
export async function underBudget<T>(
  signal: AbortSignal,
  budget: { seconds: number; setting: string },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!signal.aborted) throw err;
    if (timedOut(signal)) {
      throw new HttpError(504, `the analysis took longer than its time budget of ${budget.seconds} s (${budget.setting}) and was stopped`, {
        reason: 'timeout',
      });
    }
    throw new HttpError(499, 'the client went away; the analysis was stopped', { reason: 'client_gone' });
  }
}
