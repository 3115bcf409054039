import type { Expr } from '../../../grammar/ast.ts';
import { analysisError } from '../../errors/index.ts';
import type { Row } from '../../types/value.ts';
import { compileExpr } from '../eval/compile.ts';
import type { EvalContext } from '../eval/context.ts';
import { toBigInt } from '../eval/numeric.ts';
import { EMPTY_SCOPE } from '../eval/scope.ts';
import { shouldYield, yieldTurn } from '../pace.ts';
import { throwIfAborted, type RowSource } from './row-source.ts';

const BATCH = 4096;

/**
 * `TABLE(generate_series(start, stop[, step]))`: one BIGINT column named `generate_series`, start..stop inclusive,
 * generated lazily in batches (no array of the whole range). A negative step counts down; step 0 is an error.
 */
export function generateSeries(args: readonly Expr[], ctx: EvalContext): RowSource {
  if (args.length < 2 || args.length > 3) {
    throw analysisError(`No matching function with signature: generate_series(${args.map(() => 'bigint').join(', ')}). generate_series() takes 2 or 3 arguments`);
  }
  const values = args.map((a) => {
    const c = compileExpr(a, { scope: EMPTY_SCOPE, ctx, clause: 'from clause' });
    if (!c.constant) throw analysisError('generate_series arguments must be constants');
    return toBigInt(c.evaluate([]));
  });
  const [start, stop, step = 1n] = values;
  if (step === 0n) throw analysisError('generate_series step cannot be zero');
  return {
    columns: [{ name: 'generate_series', type: { name: 'BIGINT' }, nullable: false }],
    async *scan(options) {
      if (start === null || start === undefined || stop === null || stop === undefined || step === null) return;
      let v = start;
      const up = step > 0n;
      while (up ? v <= stop : v >= stop) {
        throwIfAborted(options.signal);
        if (shouldYield()) await yieldTurn(options.signal);
        const batch: Row[] = [];
        for (let i = 0; i < BATCH && (up ? v <= stop : v >= stop); i++) {
          batch.push([v]);
          v += step;
        }
        yield batch;
      }
    },
  };
}
