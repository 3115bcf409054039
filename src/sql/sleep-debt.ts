/**
 * SLEEP(n). Expressions are evaluated synchronously (a compiled closure per row), so SLEEP cannot wait where it is
 * called without stopping every other connection's work. Instead it records how long its statement owes, returns
 * 0, and the statement pays the debt where it may wait: at its end (before the result is handed over) and at the
 * statement loops' pauses. The wait is on the statement's signal, so KILL QUERY and the statement deadline end it
 * with their error. A statement's total sleep is what MySQL's would be (n per evaluated row); what differs is only
 * when, within the statement, the time passes.
 */
import { isSqlError, sqlError } from '../errors/index.ts';
import type { Clock } from '../util/clock.ts';

/** Owed milliseconds by statement owner (the session state: one statement at a time per session). */
const debts = new WeakMap<object, number>();

/** SLEEP(seconds) evaluated for `owner`'s statement. */
export function owe(owner: object, seconds: number): void {
  if (!(seconds > 0)) return;
  debts.set(owner, (debts.get(owner) ?? 0) + seconds * 1000);
}

/** Whether `owner`'s statement has sleep to pay. */
export function owes(owner: object): boolean {
  return (debts.get(owner) ?? 0) > 0;
}

/** Wait out what `owner`'s statement owes; throws the interruption (KILL QUERY 1317, a timeout) if it comes first. */
export async function pay(owner: object, clock: Clock, signal: AbortSignal): Promise<void> {
  const ms = debts.get(owner) ?? 0;
  if (ms <= 0) return;
  debts.delete(owner);
  try {
    await clock.sleep(ms, signal);
  } catch {
    if (isSqlError(signal.reason)) throw signal.reason;
    throw sqlError('ER_QUERY_INTERRUPTED', 'Query execution was interrupted');
  }
}

/** Forget a debt (the statement failed: there is nothing left to wait for). */
export function forgive(owner: object): void {
  debts.delete(owner);
}
