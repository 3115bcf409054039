import { parseStatementWithParser, parseStatement } from '../grammar/index.ts';
const rows = 20000;
const values = Array.from({ length: rows }, (_, i) => `(${i}, 'customer-${i} O''Brien', ${i}.25, '2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}', ${(i * 1.5).toExponential(3)})`);
const sql = `INSERT INTO t VALUES ${values.join(',\n')}`;
const lim = { maxTokens: 10_000_000, maxExprDepth: 1000, maxExprChildren: 1_000_000 };
for (let r = 0; r < 3; r++) {
  let t = performance.now(); parseStatement(sql, lim); const fast = performance.now() - t;
  t = performance.now(); parseStatementWithParser(sql, lim); const gen = performance.now() - t;
  console.log(`fast ${fast.toFixed(0)} ms general ${gen.toFixed(0)} ms heap ${(process.memoryUsage().heapUsed/1e6).toFixed(0)} MB`);
}
