import { describe, expect, it } from 'vitest';
import { planStep } from '../../../src/remediation/actions.js';
import type { RemediationAction } from '../../../src/remediation/types.js';

describe('planStep descriptions', () => {
  it('reads resource figures as a person would (MiB/GiB, millicores), keeping the raw numbers in parameters', () => {
    const action = {
      action_type: 'adjust_resources',
      target_resource: 'deployment/api',
      namespace: 'shop',
      parameters: { memory_limit: 1_207_959_552, current_memory_limit: 805_306_368, cpu_request: 0.25, note: 'x' },
      dry_run: false,
    } as unknown as RemediationAction;
    const step = planStep(action, 0);
    expect(step.description).toBe(
      'adjust the resources of deployment/api (memory_limit=1.13 GiB, current_memory_limit=768 MiB, cpu_request=250 millicores, note=x) — by hand',
    );
    expect(step.parameters).toMatchObject({ memory_limit: 1_207_959_552 });
  });
});
