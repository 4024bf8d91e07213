/**
 * The audit spool keeps room for actions already admitted: with ClickHouse down, an approval is
 * admitted (its authorization row recorded) and waits for the control plane while other requests
 * fill the spool until they are refused; the approval still records its execution and completion
 * events and completes — it is not left `running`, half-recorded, with a 503 or a 500.
 * Found by the fault matrix (test/chaos/, full audit spool): an approval answered 500 and its
 * remediation stayed `running` although nothing had been executed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, testApp, testEnv } from '../helpers/app.js';
import { startControlPlaneStub, type ControlPlaneStub } from '../helpers/control-plane-stub.js';
import { contractToken, rsaKey } from '../helpers/keys.js';
import { DEAD_URL } from '../helpers/services.js';

let cp: ControlPlaneStub;
beforeAll(async () => {
  cp = await startControlPlaneStub();
});
afterAll(async () => cp?.close());

describe('audit spool reserve for admitted actions', () => {
  it('an approval admitted before the spool filled completes and is fully recorded', async () => {
    const key = await rsaKey();
    const app = await testApp(
      testEnv(key, {
        AIOPS_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'audit-reserve-')),
        CLICKHOUSE_URL: DEAD_URL.http,
        AUDIT_SPOOL_MAX_BYTES: String(1024 * 1024),
        HEXABASE_API_URL: cp.url,
      }),
    );
    try {
      const ws = 'ws-reserve';
      const alice = await contractToken(key, { workspaceId: ws, sub: 'alice', permissions: ['aiops:read', 'aiops:remediate'] });
      const bob = await contractToken(key, { workspaceId: ws, sub: 'bob', permissions: ['aiops:read', 'aiops:remediate'] });
      const proposed = await app.inject({
        method: 'POST',
        url: `/workspaces/${ws}/remediate`,
        headers: bearer(alice),
        payload: { actions: [{ action_type: 'scale', target_resource: 'deployment/cart', parameters: { replicas: 3 } }] },
      });
      expect(proposed.statusCode, proposed.body).toBe(201);
      const id = proposed.json().id as string;

      cp.behave({ kind: 'ok', delayMs: 3000 }); // the execution waits on the control plane meanwhile
      const approval = app.inject({
        method: 'POST',
        url: `/workspaces/${ws}/remediations/${id}/approve`,
        headers: bearer(bob),
        payload: {},
      });
      while (cp.writes().length === 0) await new Promise((r) => setTimeout(r, 20));

      let refused = false;
      for (let i = 0; !refused && i < 20_000; i += 50) {
        const group = await Promise.all(
          Array.from({ length: 50 }, (_, j) =>
            app.inject({
              url: `/workspaces/${ws}/access`,
              headers: { ...bearer(alice), 'x-request-id': `fill-${i + j}-${'x'.repeat(100)}` },
            }),
          ),
        );
        refused = group.some((r) => r.statusCode === 503 && r.json().reason === 'audit_spool_full');
      }
      expect(refused).toBe(true); // new requests are refused now …

      const approved = await approval; // … yet the admitted approval records its last events and completes
      expect(approved.statusCode, approved.body).toBe(200);
      expect(approved.json().status).toBe('completed');
      expect(cp.writes()).toHaveLength(1);
    } finally {
      cp.behave({ kind: 'ok' });
      await app.close();
    }
  }, 60_000);
});
