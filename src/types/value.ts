/**
 * Runtime representation of one SQL value. Chosen so that values are cheap, exact and comparable:
 * - BOOLEAN → boolean
 * - TINYINT / SMALLINT / INT / FLOAT / DOUBLE → number
 * - BIGINT / LARGEINT → bigint (exact beyond 2^53)
 * - DECIMAL(p, s) → string in canonical form: optional '-', integer digits without leading zeros (a single '0' when
 *   zero), and exactly s fraction digits (`'12.50'` for DECIMAL(5,2); `'-0.50'`; no fraction part when s = 0)
 * - CHAR / VARCHAR / STRING → string
 * - DATE → 'YYYY-MM-DD'; DATETIME → 'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD HH:MM:SS.ffffff' when sub-second parts are
 *   non-zero (canonical, so string order is time order)
 * - NULL → null
 */
export type Value = null | boolean | number | bigint | string;

/** One row, column values in schema order. */
export type Row = readonly Value[];
