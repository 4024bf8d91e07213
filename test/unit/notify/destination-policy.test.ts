/**
 * The notification destination policy (no SSRF through a tenant's settings) and the untrusted-text
 * fencing of Slack messages.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signature } from '../../../src/notify/deliver.js';
import { DestinationPolicy, isInternalAddress } from '../../../src/notify/destination-policy.js';
import { slackBody, slackText, type NotificationEvent } from '../../../src/notify/events.js';

describe('internal addresses', () => {
  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '127.0.0.1',
    '127.8.8.8',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    'not-an-address',
  ])('%s is internal', (a) => expect(isInternalAddress(a)).toBe(true));
  it.each(['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is not', (a) =>
    expect(isInternalAddress(a)).toBe(false),
  );
});

describe('destination policy', () => {
  const resolveTo = (addresses: string[]) => async () => addresses;

  it('refuses everything when nothing is allowed, and hosts outside the list', async () => {
    await expect(new DestinationPolicy([]).check('https://hooks.slack.com/x')).rejects.toThrow(/NOTIFY_ALLOWED_HOSTS/);
    await expect(new DestinationPolicy(['hooks.slack.com']).check('https://evil.example.com/x')).rejects.toThrow(
      /not in the operator's allow-list/,
    );
  });

  it('a wildcard-allowed host that resolves to an internal address is refused, unless listed exactly', async () => {
    const internal = new DestinationPolicy(['*.corp.example'], resolveTo(['93.184.216.34', '10.0.0.7']));
    await expect(internal.check('https://hooks.corp.example/x')).rejects.toThrow(/resolves to 10\.0\.0\.7, an internal address/);
    const listed = new DestinationPolicy(['hooks.corp.example'], resolveTo(['10.0.0.7']));
    await expect(listed.check('https://hooks.corp.example/x')).resolves.toBeUndefined();
    const publicOnly = new DestinationPolicy(['*.corp.example'], resolveTo(['93.184.216.34']));
    await expect(publicOnly.check('https://hooks.corp.example/x')).resolves.toBeUndefined();
  });

  it('ports count: host:port patterns match only that port; default ports are implied', async () => {
    const p = new DestinationPolicy(['127.0.0.1:8080', 'hooks.slack.com'], resolveTo(['54.1.1.1']));
    await expect(p.check('http://127.0.0.1:8080/h')).resolves.toBeUndefined();
    await expect(p.check('http://127.0.0.1:9090/h')).rejects.toThrow(/127\.0\.0\.1:9090 is not in/);
    await expect(p.check('https://hooks.slack.com/services/x')).resolves.toBeUndefined();
  });

  it('refuses other schemes and credentials in the URL', async () => {
    const p = new DestinationPolicy(['*.example.com'], resolveTo(['93.184.216.34']));
    await expect(p.check('ftp://a.example.com/x')).rejects.toThrow(/ftp: is not allowed/);
    await expect(p.check('https://user:pw@a.example.com/x')).rejects.toThrow(/credentials/);
    await expect(p.check('not a url')).rejects.toThrow(/not a URL/);
  });
});

describe('messages', () => {
  const event: NotificationEvent = {
    id: 'e1',
    type: 'incident.opened',
    workspaceId: 'ws-a',
    occurredAt: '2026-12-05T03:00:00.000Z',
    severity: 'critical',
    title: '<!channel> <https://evil.example|click> & more',
    object: { incident_id: 'i1' },
    uiPath: '/ui#incident=i1',
  };

  it("Slack: untrusted text cannot mention, link or format (Slack's control characters escaped)", () => {
    const body = JSON.parse(slackBody(event, 'https://aiops.example.com')) as { text: string; blocks: { text?: { text: string } }[] };
    expect(body.text).not.toMatch(/<!channel>|<https/);
    expect(body.blocks[0]!.text!.text).toContain('&lt;!channel&gt;');
    expect(slackText('x'.repeat(5000), 100)).toHaveLength(100);
  });

  it('the signature is HMAC-SHA256 of the exact body with the channel secret', () => {
    expect(signature('s3cret', '{"a":1}')).toBe(`sha256=${createHmac('sha256', 's3cret').update('{"a":1}').digest('hex')}`);
  });
});
