// A remediation card: the plan, its risk and dry run, and — while it waits for a human — Approve /
// Reject buttons that call POST /remediations/{id}/approve|reject and then show what happened. A token
// that may not decide (`can('aiops:remediate')` false) sees the buttons disabled, with the reason.
import { badge, h, when } from './dom.js';

export function remediationCard(api, remediation, { report, onDecided, can = () => true } = {}) {
  const card = h('article', {
    class: 'remediation',
    'data-remediation-id': remediation.id,
    'aria-label': `Remediation ${remediation.id.slice(0, 8)}`,
  });
  render(remediation);
  return card;

  function render(r) {
    const pending = r.status === 'pending_approval';
    const comment = h('input', { id: `comment-${r.id}`, type: 'text', maxlength: 500, autocomplete: 'off' });
    const progress = h('p', { class: 'decision-progress', role: 'status' });
    const decide = async (verb, button) => {
      for (const b of card.querySelectorAll('button')) b.disabled = true;
      progress.textContent = verb === 'approve' ? 'Approving and running the plan…' : 'Rejecting…';
      try {
        const text = comment.value.trim();
        const { body } = await api.post(`/remediations/${encodeURIComponent(r.id)}/${verb}`, text ? { comment: text } : {});
        render(body);
        card.querySelector('.remediation-status')?.focus();
        onDecided?.(body);
      } catch (err) {
        progress.textContent = '';
        report(err);
        for (const b of card.querySelectorAll('button')) b.disabled = false;
        button.focus();
      }
    };
    card.replaceChildren(
      ...[
        h('h4', {}, 'Proposed remediation ', badge(`risk ${r.risk}`, r.risk)),
        h(
          'p',
          { class: 'remediation-status', tabindex: '-1' },
          'Status: ',
          h('strong', { 'data-status': r.status }, r.status.replace(/_/g, ' ')),
        ),
        r.reason ? h('p', {}, r.reason) : null,
        h(
          'ol',
          { class: 'plan' },
          r.plan.map((step) => h('li', {}, step.description, ' ', badge(step.risk), step.dry_run ? ' (dry run)' : '')),
        ),
        r.dry_run_result ? h('p', { class: r.dry_run_result.ok ? 'ok' : 'warn' }, `Dry run: ${r.dry_run_result.summary}`) : null,
        r.results?.length
          ? h(
              'ul',
              { class: 'results' },
              r.results.map((x) => h('li', {}, `step ${x.index + 1}: ${x.status} — ${x.message}`)),
            )
          : null,
        r.error ? h('p', { class: 'warn' }, r.error) : null,
        r.decision
          ? h(
              'p',
              { class: 'muted' },
              `${r.decision.decision} by ${r.decision.by} at ${when(r.decision.at)}${r.decision.comment ? ` (“${r.decision.comment}”)` : ''}`,
            )
          : null,
        pending
          ? h(
              'div',
              { class: 'decide' },
              h('p', { class: 'muted' }, `Requested by ${r.requested_by}; expires ${when(r.expires_at)}.`),
              h('label', { for: comment.id }, 'Comment (optional)'),
              comment,
              ...decisionButtons(r, can('aiops:remediate'), decide),
              progress,
            )
          : null,
      ].filter(Boolean),
    );
  }
}

/** Approve / Reject, or — for a token without aiops:remediate — the same buttons disabled, saying why. */
function decisionButtons(r, allowed, decide) {
  const why = `why-${r.id}`;
  const attrs = allowed ? {} : { disabled: true, 'aria-describedby': why, title: 'needs aiops:remediate' };
  return [
    h(
      'div',
      { class: 'buttons' },
      h('button', { type: 'button', class: 'approve', ...attrs, onclick: (e) => decide('approve', e.currentTarget) }, 'Approve'),
      h('button', { type: 'button', class: 'reject', ...attrs, onclick: (e) => decide('reject', e.currentTarget) }, 'Reject'),
    ),
    allowed
      ? null
      : h('p', { id: why, class: 'muted needs-scope' }, 'Approving or rejecting needs aiops:remediate, which this token does not grant.'),
  ].filter(Boolean);
}
