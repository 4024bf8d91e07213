import { describe, expect, it } from 'vitest';
import { approvalCommand, routeIntent } from '../../../agents/chat/intents.js';

describe('approval commands', () => {
  it('recognises short commands, with an id and a comment', () => {
    expect(approvalCommand('approve')).toEqual({ kind: 'approve' });
    expect(approvalCommand('  Approve it. ')).toEqual({ kind: 'approve' });
    expect(approvalCommand('yes, approve')).toEqual({ kind: 'approve' });
    expect(approvalCommand('reject: too risky')).toEqual({ kind: 'reject', comment: 'too risky' });
    expect(approvalCommand('reject because it is Friday')).toEqual({ kind: 'reject', comment: 'it is Friday' });
    expect(approvalCommand('approve 2B0C2A55-8A3C-4F4E-9D55-3C3A7A0B9E11')).toEqual({
      kind: 'approve',
      remediationId: '2b0c2a55-8a3c-4f4e-9d55-3c3a7a0b9e11',
    });
    expect(approvalCommand('deny the remediation')).toEqual({ kind: 'reject' });
  });

  it('decides nothing inside a question or a longer sentence', () => {
    for (const text of [
      'should I approve it?',
      'what happens if I approve?',
      'please explain before I approve',
      'I approve of this analysis, now restart api',
      'approved by whom?',
    ]) {
      expect(approvalCommand(text), text).toBeUndefined();
    }
  });
});

describe('the intent router', () => {
  it.each([
    ['what is wrong now?', { kind: 'whats_wrong', analysisType: 'anomaly', windowMinutes: 360 }],
    ["What's going on in the workspace?", { kind: 'whats_wrong' }],
    ['why is checkout slow?', { kind: 'whats_wrong', analysisType: 'performance', subjects: ['checkout'] }],
    ['any security problems in the last 2 hours?', { kind: 'whats_wrong', analysisType: 'security', windowMinutes: 120 }],
    ['what will run out first?', { kind: 'forecast', windowMinutes: 360 }],
    ['is the disk of postgres going to be full?', { kind: 'forecast' }],
    ['forecast capacity for namespace data', { kind: 'forecast', namespace: 'data' }],
    ['any recommendations?', { kind: 'recommendations', windowMinutes: 1440 }],
    ['which workloads are over-provisioned?', { kind: 'recommendations' }],
    ['what alerts are firing?', { kind: 'alerts' }],
    ['explain the alert KubePodCrashLooping', { kind: 'alerts', name: 'KubePodCrashLooping' }],
    ['what does alert AIOpsOomKill mean', { kind: 'alerts', name: 'AIOpsOomKill' }],
    ['what went wrong in the last 6h', { kind: 'whats_wrong', windowMinutes: 360 }],
    ['anything wrong in the past 30 min?', { kind: 'whats_wrong', windowMinutes: 30 }],
    ['any problems in the last hour in the shop namespace', { kind: 'whats_wrong', windowMinutes: 60, namespace: 'shop' }],
    ['recommendations for the data namespace today', { kind: 'recommendations', namespace: 'data', windowMinutes: 1440 }],
    ['show me the errors of api in the last hour', { kind: 'logs', errorsOnly: true, windowMinutes: 60, subjects: ['api'] }],
    ['logs of checkout in namespace shop', { kind: 'logs', errorsOnly: false, namespace: 'shop', subjects: ['checkout'] }],
    ['find exceptions from payments in the past 2 hours', { kind: 'logs', errorsOnly: true, windowMinutes: 120, subjects: ['payments'] }],
    ['any warning events in the shop namespace?', { kind: 'events', namespace: 'shop', windowMinutes: 60 }],
    ['list kubernetes events of the last 3 hours', { kind: 'events', windowMinutes: 180, subjects: [] }],
    ['any failed logins?', { kind: 'security_events', windowMinutes: 1440 }],
    ['show me login failures in the last 2 hours', { kind: 'security_events', windowMinutes: 120 }],
    ['is someone brute-forcing us?', { kind: 'security_events' }],
    ['write me a poem', { kind: 'unknown' }],
  ])('%s', (text, expected) => {
    expect(routeIntent(text)).toMatchObject(expected);
  });

  it('remediation commands: the target, its namespace and the replicas; pronouns refer to the conversation', () => {
    expect(routeIntent('restart it')).toEqual({ kind: 'remediate', verb: 'restart', target: {}, pronoun: true });
    // The clause with the verb names the target ("I" in the next clause is not a workload).
    expect(routeIntent('shop/api keeps getting OOMKilled. Restart it now, I approve.')).toEqual({
      kind: 'remediate',
      verb: 'restart',
      target: {},
      pronoun: true,
    });
    expect(routeIntent('restart the deployment')).toMatchObject({ verb: 'restart', target: { kind: 'deployment' }, pronoun: true });
    expect(routeIntent('restart deployment/api in shop')).toEqual({
      kind: 'remediate',
      verb: 'restart',
      target: { kind: 'deployment', name: 'api', namespace: 'shop' },
      pronoun: false,
    });
    expect(routeIntent('please restart shop/api')).toMatchObject({ target: { namespace: 'shop', name: 'api' }, pronoun: false });
    expect(routeIntent('restart pod api-7d9f-xyz in the shop namespace')).toMatchObject({
      target: { kind: 'pod', name: 'api-7d9f-xyz', namespace: 'shop' },
    });
    expect(routeIntent('scale cart to 5 replicas')).toEqual({
      kind: 'remediate',
      verb: 'scale',
      target: { name: 'cart' },
      pronoun: false,
      replicas: 5,
    });
    expect(routeIntent('scale it to 3')).toMatchObject({ verb: 'scale', pronoun: true, replicas: 3 });
    expect(routeIntent('scale cart in shop to 0')).toMatchObject({ target: { name: 'cart', namespace: 'shop' }, replicas: 0 });
    expect(routeIntent('roll it back')).toMatchObject({ verb: 'rollback', pronoun: true });
    // Not commands: a scale without a number, and questions about an action.
    expect(routeIntent('how does scale work?')).toMatchObject({ kind: 'unknown' });
    expect(routeIntent('should I restart it?').kind).not.toBe('remediate');
    expect(routeIntent('why did api restart?').kind).toBe('whats_wrong');
  });
});
