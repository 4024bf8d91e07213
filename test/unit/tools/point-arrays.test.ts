import { describe, expect, it } from 'vitest';
import { SamplesSchema, TimesSchema } from '../../../tools/output-shapes.js';

describe('point array schemas (fetch_series answers, checked in one loop)', () => {
  it('times: finite numbers only; samples: any number, NaN included (a gap), nothing else', () => {
    expect(TimesSchema.safeParse([1, 2.5, 3]).success).toBe(true);
    expect(TimesSchema.safeParse([1, Number.NaN]).success).toBe(false);
    expect(TimesSchema.safeParse([1, Number.POSITIVE_INFINITY]).success).toBe(false);
    expect(TimesSchema.safeParse([1, '2']).success).toBe(false);
    expect(TimesSchema.safeParse({ length: 0 }).success).toBe(false);
    expect(SamplesSchema.safeParse([0.5, Number.NaN, -1]).success).toBe(true);
    expect(SamplesSchema.safeParse([0.5, null]).success).toBe(false);
    expect(SamplesSchema.safeParse('1,2').success).toBe(false);
  });
});
