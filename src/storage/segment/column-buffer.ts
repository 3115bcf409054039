/**
 * Growable in-memory columns that segments are encoded from. A load appends row values here (no per-value
 * objects, no JSON), and a flush turns each column into one or two contiguous byte blocks.
 */
import type { ColumnType, Value } from '../../types/index.ts';
import { encodingOf } from './format.ts';

export interface ColumnBuffer {
  /** Append one value (null allowed). Throws on a value of the wrong kind: the SQL layer coerces before storage. */
  push(value: Value): void;
  /** Rows appended. */
  readonly length: number;
  /** Bytes this column will take on disk (approximately, for memory accounting). */
  readonly byteSize: number;
  /** True when some appended value was NULL. */
  readonly hasNulls: boolean;
  /** The packed null bitmap (bit i set = row i is NULL), when hasNulls. */
  nullBitmap(): Uint8Array;
  /** The value blocks, in on-disk order. */
  dataBlocks(): readonly Uint8Array[];
}

const INITIAL = 1024;

abstract class Base {
  length = 0;
  #nulls: Uint8Array | null = null;
  get hasNulls(): boolean {
    return this.#nulls !== null;
  }
  protected markNull(): void {
    if (this.#nulls === null) this.#nulls = new Uint8Array(Math.max(INITIAL, this.length * 2));
    else if (this.#nulls.length <= this.length) {
      const grown = new Uint8Array(Math.max(this.#nulls.length, this.length) * 2);
      grown.set(this.#nulls);
      this.#nulls = grown;
    }
    this.#nulls[this.length] = 1;
  }
  nullBitmap(): Uint8Array {
    const bits = new Uint8Array((this.length + 7) >>> 3);
    const nulls = this.#nulls;
    if (nulls !== null) {
      const n = Math.min(this.length, nulls.length);
      for (let i = 0; i < n; i++) if (nulls[i] === 1) bits[i >>> 3]! |= 1 << (i & 7);
    }
    return bits;
  }
}

type NumberArray = Int8Array | Int16Array | Int32Array | Float64Array;

class NumberColumn extends Base implements ColumnBuffer {
  #values: NumberArray;
  readonly #make: (n: number) => NumberArray;
  readonly #min: number;
  readonly #max: number;
  readonly #bool: boolean;
  constructor(make: (n: number) => NumberArray, min: number, max: number, bool = false) {
    super();
    this.#make = make;
    this.#values = make(INITIAL);
    this.#min = min;
    this.#max = max;
    this.#bool = bool;
  }
  get byteSize(): number {
    return this.length * this.#values.BYTES_PER_ELEMENT;
  }
  push(value: Value): void {
    if (this.length === this.#values.length) {
      const grown = this.#make(this.#values.length * 2);
      grown.set(this.#values as never);
      this.#values = grown;
    }
    if (value === null) {
      this.markNull();
      this.#values[this.length++] = 0;
      return;
    }
    let v: number;
    if (this.#bool) {
      if (typeof value !== 'boolean') throw new TypeError(`storage: BOOLEAN column got ${typeof value}`);
      v = value ? 1 : 0;
    } else {
      if (typeof value !== 'number') throw new TypeError(`storage: numeric column got ${typeof value} ${String(value)}`);
      if (this.#values instanceof Float64Array) v = value;
      else if (!Number.isInteger(value) || value < this.#min || value > this.#max) {
        throw new RangeError(`storage: integer ${value} out of range [${this.#min}, ${this.#max}]`);
      } else v = value;
    }
    this.#values[this.length++] = v;
  }
  dataBlocks(): readonly Uint8Array[] {
    const bytes = this.length * this.#values.BYTES_PER_ELEMENT;
    return [new Uint8Array(this.#values.buffer, this.#values.byteOffset, bytes)];
  }
}

class BigIntColumn extends Base implements ColumnBuffer {
  #lo: BigInt64Array | BigUint64Array;
  #hi: BigInt64Array | null;
  readonly #wide: boolean;
  constructor(wide: boolean) {
    super();
    this.#wide = wide;
    this.#lo = wide ? new BigUint64Array(INITIAL) : new BigInt64Array(INITIAL);
    this.#hi = wide ? new BigInt64Array(INITIAL) : null;
  }
  get byteSize(): number {
    return this.length * (this.#wide ? 16 : 8);
  }
  push(value: Value): void {
    if (this.length === this.#lo.length) {
      const lo = this.#wide ? new BigUint64Array(this.#lo.length * 2) : new BigInt64Array(this.#lo.length * 2);
      lo.set(this.#lo as never);
      this.#lo = lo;
      if (this.#hi !== null) {
        const hi = new BigInt64Array(this.#hi.length * 2);
        hi.set(this.#hi);
        this.#hi = hi;
      }
    }
    if (value === null) {
      this.markNull();
      this.#lo[this.length] = 0n;
      if (this.#hi !== null) this.#hi[this.length] = 0n;
      this.length++;
      return;
    }
    let v: bigint;
    if (typeof value === 'bigint') v = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
    else throw new TypeError(`storage: BIGINT/LARGEINT column got ${typeof value} ${String(value)}`);
    if (this.#hi === null) {
      if (BigInt.asIntN(64, v) !== v) throw new RangeError(`storage: BIGINT ${v} out of range`);
      this.#lo[this.length++] = v;
    } else {
      if (BigInt.asIntN(128, v) !== v) throw new RangeError(`storage: LARGEINT ${v} out of range`);
      this.#lo[this.length] = BigInt.asUintN(64, v);
      this.#hi[this.length++] = v >> 64n;
    }
  }
  dataBlocks(): readonly Uint8Array[] {
    const lo = new Uint8Array(this.#lo.buffer, this.#lo.byteOffset, this.length * 8);
    if (this.#hi === null) return [lo];
    return [lo, new Uint8Array(this.#hi.buffer, this.#hi.byteOffset, this.length * 8)];
  }
}

class StringColumn extends Base implements ColumnBuffer {
  #ends = new Uint32Array(INITIAL);
  #bytes = Buffer.allocUnsafe(INITIAL * 16);
  #used = 0;
  get byteSize(): number {
    return this.#used + (this.length + 1) * 4;
  }
  push(value: Value): void {
    if (this.length === this.#ends.length) {
      const grown = new Uint32Array(this.#ends.length * 2);
      grown.set(this.#ends);
      this.#ends = grown;
    }
    if (value === null) this.markNull();
    else {
      if (typeof value !== 'string') throw new TypeError(`storage: string column got ${typeof value} ${String(value)}`);
      // Worst case 3 UTF-8 bytes per UTF-16 unit; grow before writing so Buffer.write never truncates.
      const need = this.#used + value.length * 3;
      if (need > this.#bytes.length) {
        const grown = Buffer.allocUnsafe(Math.max(need, this.#bytes.length * 2));
        this.#bytes.copy(grown, 0, 0, this.#used);
        this.#bytes = grown;
      }
      // Short strings: an inline ASCII loop beats the native UTF-8 encoder's per-call cost several times over.
      const bytes = this.#bytes;
      const start = this.#used;
      let at = start;
      const n = value.length;
      if (n <= 64) {
        for (let i = 0; i < n; i++) {
          const c = value.charCodeAt(i);
          if (c >= 0x80) {
            at = -1;
            break;
          }
          bytes[at++] = c;
        }
      } else at = -1;
      this.#used = at >= 0 ? at : start + bytes.write(value, start, 'utf8');
      if (this.#used > 0xffffffff) throw new RangeError('storage: string column larger than 4 GiB in one segment');
    }
    this.#ends[this.length++] = this.#used;
  }
  dataBlocks(): readonly Uint8Array[] {
    const offsets = new Uint32Array(this.length + 1);
    offsets.set(this.#ends.subarray(0, this.length), 1);
    return [new Uint8Array(offsets.buffer), this.#bytes.subarray(0, this.#used)];
  }
}

/** A fresh buffer for a column of type `t`. */
export function createColumnBuffer(t: ColumnType): ColumnBuffer {
  switch (encodingOf(t)) {
    case 'i8':
      return t.name === 'BOOLEAN' ? new NumberColumn((n) => new Int8Array(n), 0, 1, true) : new NumberColumn((n) => new Int8Array(n), -128, 127);
    case 'i16':
      return new NumberColumn((n) => new Int16Array(n), -32768, 32767);
    case 'i32':
      return new NumberColumn((n) => new Int32Array(n), -2147483648, 2147483647);
    case 'f64':
      return new NumberColumn((n) => new Float64Array(n), -Infinity, Infinity);
    case 'i64':
      return new BigIntColumn(false);
    case 'i128':
      return new BigIntColumn(true);
    case 'str':
      return new StringColumn();
  }
}
