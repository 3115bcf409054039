/** The EvalContext expressions see, built over the calling session (one per statement: now() is fixed per statement). */
import type { Value } from '../types/value.ts';
import type { ExecutionContext, SessionState } from './context.ts';
import type { EvalContext } from './eval/context.ts';
import { sessionAccount } from './privileges/index.ts';
import { countsAtStart } from './diagnostics.ts';
import { owe } from './sleep-debt.ts';

/** @@warning_count / @@error_count: what the previous statement left in the diagnostics area. */
function diagnosticVariable(session: SessionState, name: string): bigint | undefined {
  const lower = name.toLowerCase();
  if (lower !== 'warning_count' && lower !== 'error_count') return undefined;
  const counts = countsAtStart(session);
  return BigInt(lower === 'warning_count' ? counts.warningCount : counts.errorCount);
}

export function sessionEvalContext(ctx: ExecutionContext): EvalContext {
  const now = ctx.services.clock.now();
  const { session } = ctx;
  return {
    now: () => now,
    database: () => session.database,
    user: () => `'${session.user}'@'${session.host}'`,
    // CURRENT_USER() is the matched account (its host pattern), USER() the client's actual host.
    currentUser: () => `'${session.user}'@'${sessionAccount(ctx)?.account.host ?? '%'}'`,
    connectionId: () => session.connectionId,
    systemVariable: (name, scope): Value => diagnosticVariable(session, name) ?? session.variables.get(name, scope === 'DEFAULT' ? undefined : scope),
    userVariable: (name): Value => session.userVariables.get(name.toLowerCase()) ?? null,
    sleep: (seconds) => owe(session, seconds),
  };
}
