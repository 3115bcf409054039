/**
 * fast-check: random interleavings of BEGIN / INSERT / COMMIT / ROLLBACK / SELECT across two sessions (and an
 * autocommit observer) match a model of visibility:
 * - committed rows are what the observer (and any session outside a transaction) reads;
 * - a transaction's loads join the committed rows at COMMIT, all together, and never at ROLLBACK;
 * - BEGIN inside a transaction commits it first (MySQL);
 * - inside a transaction (REPEATABLE READ) a read sees the committed rows of the transaction's first read, whatever
 *   commits later — unless the transaction loaded into the table, which StarRocks refuses to read (5307).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../../src/engine.ts';
import { isSqlError } from '../../../src/errors/index.ts';
import { openTestDb, type TestDb } from '../data-plane/helpers.ts';

type Action =
  | { readonly kind: 'begin' | 'commit' | 'rollback' | 'read'; readonly who: 0 | 1 }
  | { readonly kind: 'insert'; readonly who: 0 | 1 }
  | { readonly kind: 'observe' };

interface SessionModel {
  inTxn: boolean;
  pending: number[];
  snapshot: number[] | undefined;
}

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constantFrom('begin', 'commit', 'rollback', 'read', 'insert'), who: fc.constantFrom(0 as const, 1 as const) }),
  fc.constant({ kind: 'observe' as const }),
);

describe('transaction visibility (fast-check model)', () => {
  let t: TestDb;
  let run = 0;
  beforeAll(async () => {
    t = await openTestDb({ database: 'db', backends: 1 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('matches the model for random interleavings across two sessions', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 24 }), async (actions) => {
        const table = `m${run++}`;
        await t.exec(`CREATE TABLE ${table} (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1`);
        const sessions: Session[] = [t.engine.session({ database: 'db' }), t.engine.session({ database: 'db' })];
        const observer = t.engine.session({ database: 'db' });
        const models: SessionModel[] = [0, 1].map(() => ({ inTxn: false, pending: [], snapshot: undefined }));
        let committed: number[] = [];
        let next = 1;
        const read = async (s: Session): Promise<number[]> => {
          const r = await s.execute(`SELECT k FROM ${table}`);
          if (r.kind !== 'rows') throw new Error('rows expected');
          return r.rows.map((x) => Number(x[0])).sort((a, b) => a - b);
        };
        const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
        try {
          for (const a of actions) {
            if (a.kind === 'observe') {
              expect(await read(observer)).toEqual(sorted(committed));
              continue;
            }
            const s = sessions[a.who] as Session;
            const m = models[a.who] as SessionModel;
            switch (a.kind) {
              case 'begin':
                if (m.inTxn) committed = [...committed, ...m.pending];
                await s.execute('BEGIN');
                Object.assign(m, { inTxn: true, pending: [], snapshot: undefined });
                break;
              case 'insert': {
                const v = next++;
                await s.execute(`INSERT INTO ${table} VALUES (${v})`);
                if (m.inTxn) m.pending.push(v);
                else committed = [...committed, v];
                break;
              }
              case 'commit':
                await s.execute('COMMIT');
                if (m.inTxn) committed = [...committed, ...m.pending];
                Object.assign(m, { inTxn: false, pending: [], snapshot: undefined });
                break;
              case 'rollback':
                await s.execute('ROLLBACK');
                Object.assign(m, { inTxn: false, pending: [], snapshot: undefined });
                break;
              case 'read': {
                if (m.inTxn && m.pending.length > 0) {
                  const e = await s.execute(`SELECT k FROM ${table}`).then(() => undefined, (err: unknown) => err);
                  expect(isSqlError(e) ? e.errno : e).toBe(5307);
                  break;
                }
                if (m.inTxn) m.snapshot ??= [...committed];
                expect(await read(s)).toEqual(sorted(m.inTxn ? (m.snapshot as number[]) : committed));
                break;
              }
            }
            expect(s.transactionStatus?.inTransaction).toBe(m.inTxn);
          }
          // Whatever is left open is rolled back by closing; the observer then sees exactly the committed rows.
          for (const s of sessions) s.close();
          expect(await read(observer)).toEqual(sorted(committed));
        } finally {
          for (const s of sessions) s.close();
          observer.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});
