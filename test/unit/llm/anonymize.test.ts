/**
 * The anonymizer on its own: what it learns as identifying, that no learned name survives masking,
 * that unmasking gives back exactly the original (property-tested), that a name inside a longer word
 * is left alone, and which provider URLs count as outside the cluster.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Anonymizer, isExternalEndpoint } from '../../../src/llm/anonymize.js';

const identity = { sub: 'alice@example.com', workspaceId: 'ws-acme-prod', orgIds: ['org-42'] };

describe('anonymizer', () => {
  it('hides names under identifying keys, selectors, kind/name references, addresses and the caller', () => {
    const anon = new Anonymizer({ identity });
    const tool = JSON.stringify({
      findings: [{ labels: { namespace: 'checkout', pod: 'cart-7d9f8b6c5d-x2x4z', container: 'cart' }, node: 'gke-pool-1-abc' }],
      target_resource: 'deployment/cart',
      source_ip: '10.12.0.7',
    });
    const text = `memory_usage{namespace="checkout",pod="cart-7d9f8b6c5d-x2x4z"} rose; deployment/payments restarted on db.shop.internal from 192.168.1.20; ask alice@example.com about ws-acme-prod (org-42)`;
    anon.learn(tool);
    anon.learn(text);
    const masked = anon.mask(`${tool}\n${text}`);
    for (const real of [
      'checkout',
      'cart-7d9f8b6c5d-x2x4z',
      'gke-pool-1-abc',
      '10.12.0.7',
      'payments',
      'db.shop.internal',
      '192.168.1.20',
      'alice@example.com',
      'ws-acme-prod',
      'org-42',
    ])
      expect(masked, real).not.toContain(real);
    expect(masked).toMatch(/anon-namespace-\d+/);
    expect(masked).toContain('memory_usage{namespace="'); // the vocabulary stays
    expect(anon.unmask(masked)).toBe(`${tool}\n${text}`);
  });

  it('leaves a name alone inside a longer word, and keeps generic values', () => {
    const anon = new Anonymizer({
      identity,
      knownNames: [
        { kind: 'namespace', value: 'shop' },
        { kind: 'namespace', value: 'default' },
      ],
    });
    const text = 'the shopping cart in shop (namespace default) and shop-api';
    expect(anon.mask(text)).toBe('the shopping cart in anon-namespace-1 (namespace default) and shop-api');
  });

  it('restores tool-call arguments deeply and never collides with text that looks like a token', () => {
    const anon = new Anonymizer({ identity });
    anon.learn('already says anon-namespace-1 here; {"namespace":"billing"}');
    const masked = anon.mask('namespace billing');
    expect(masked).not.toContain('anon-namespace-1');
    const token = masked.split(' ')[1]!;
    expect(anon.unmaskDeep({ args: { namespace: token, list: [token, 3] } })).toEqual({
      args: { namespace: 'billing', list: ['billing', 3] },
    });
  });

  it('survives hostile text: a 80,000-character dotted run is no name, and masking still works', () => {
    const anon = new Anonymizer({ identity });
    const text = `${'a.'.repeat(40_000)}x and ${'1.'.repeat(40_000)} and {"namespace":"billing"}`;
    anon.learn(text);
    expect(anon.mask('namespace billing')).toMatch(/^namespace anon-namespace-\d+$/);
    expect(anon.size).toBeLessThan(10);
  });

  it('masking then unmasking gives back any text exactly, and no learned name is left in the masked text (property)', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{1,14}[a-z0-9]$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('namespace', 'pod', 'container', 'node'), name), { minLength: 1, maxLength: 6 }),
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 6 }),
        (pairs, noise) => {
          const anon = new Anonymizer({ identity });
          const json = JSON.stringify(Object.fromEntries(pairs));
          const prose = [...pairs.map(([, v]) => v), ...noise].join(' ');
          anon.learn(json);
          const masked = anon.mask(`${json} ${prose}`);
          expect(anon.unmask(masked)).toBe(`${json} ${prose}`);
          for (const [k, v] of Object.entries(Object.fromEntries(pairs))) {
            if (v === 'default' || v.startsWith('anon-')) continue;
            expect(masked.includes(`"${k}":"${v}"`)).toBe(false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('which providers are outside the cluster', () => {
  it.each([
    [undefined, true],
    ['https://api.openai.com/v1', true],
    ['https://llm.example.com', true],
    ['http://8.8.8.8:11434', true],
    ['http://127.0.0.1:11434', false],
    ['http://localhost:11434', false],
    ['http://ollama:11434', false],
    ['http://ollama.ai.svc:11434', false],
    ['http://ollama.ai.svc.cluster.local:11434', false],
    ['http://10.0.3.4:8000/v1', false],
    ['http://172.20.0.5', false],
    ['http://192.168.10.2', false],
    ['http://[::1]:11434', false],
    ['http://[fd12::5]:8000', false],
    ['not a url', true],
  ])('%s → external %s', (url, external) => {
    expect(isExternalEndpoint(url)).toBe(external);
  });
});
