import { describe, expect, it } from 'vitest';
import { newTraceId } from '../../../src/audit/trace-id.js';

describe('newTraceId', () => {
  it('hands out W3C trace ids, never the same twice across pool refills', () => {
    const ids = Array.from({ length: 2000 }, newTraceId); // several refills of the 256-id pool
    for (const id of ids) expect(id).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
