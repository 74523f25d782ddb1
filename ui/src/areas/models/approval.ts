import type { PromotionPolicy, WhoAmI } from './models-api';

/** Whether the caller may approve or reject a pending request, and if not, why (shown next to the disabled buttons). */
export interface DecisionAbility {
  allowed: boolean;
  reason: string;
}

/**
 * Mirrors the server's rule (the server still decides): approving needs the
 * `write` permission (role editor or admin) and, under the alias's policy,
 * an admin or a user the policy names. With auth off everyone may. When the
 * role is unknown (no whoami answer) the buttons stay on and the server judges.
 */
export function decisionAbility(who: WhoAmI | undefined, policy: PromotionPolicy | undefined): DecisionAbility {
  if (!who) return { allowed: true, reason: 'Your role could not be read; the server checks it when you decide.' };
  if (!who.auth) return { allowed: true, reason: 'Auth is off on this server: every caller may decide.' };
  if ('anonymous' in who) return { allowed: false, reason: `${who.problem ? `${who.problem} ` : ''}Sign in with an editor or admin API token to approve or reject promotions.` };
  if (who.role === 'viewer') return { allowed: false, reason: `Token '${who.name}' has the viewer role; approving needs an editor or admin token.` };
  if (who.role === 'admin') return { allowed: true, reason: `Token '${who.name}' is an admin.` };
  const approvers = policy?.rules.approval.approvers ?? [];
  if (approvers.includes(who.name)) return { allowed: true, reason: `Token '${who.name}' is a named approver of this alias.` };
  const named = approvers.length > 0 ? `admins and ${approvers.map((a) => `'${a}'`).join(', ')}` : 'admins (the policy names no approvers)';
  return { allowed: false, reason: `Only ${named} may decide; '${who.name}' is not one.` };
}
