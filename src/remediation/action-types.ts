/**
 * The remediation action types: what the analysis may propose, the service plans and executes, and
 * REMEDIATION_AUTO_APPROVE_ACTIONS may list. A leaf vocabulary (zod only), so the configuration can
 * validate against it without depending on the analysis or remediation code.
 */
import { z } from 'zod';

export const ACTION_TYPES = [
  'scale', // parameters.replicas
  'restart_application',
  'restart_pod',
  'rollback_function',
  'acknowledge_alert',
  'resolve_alert',
  'adjust_resources', // parameters: cpu_request, memory_request, memory_limit … (applied by a human; no control-plane endpoint)
  'expand_volume', // parameters.size (applied by a human)
] as const;
export const ActionTypeSchema = z.enum(ACTION_TYPES);
export type ActionType = z.infer<typeof ActionTypeSchema>;
