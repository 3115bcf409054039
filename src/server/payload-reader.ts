/**
 * Reading client packets: a bounds-checked cursor over a payload (a packet too short for what it must hold is MySQL's
 * 1835, never garbage), and the `enum_field_types` codes clients use for parameters.
 */
import { SqlError } from '../errors/index.ts';

/** `enum_field_types` codes a client may use for parameters (beyond MysqlType, which is what we send). */
export const FieldType = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

/** MySQL's ER_MALFORMED_PACKET. */
export function malformedPacket(detail?: string): SqlError {
  return new SqlError(1835, 'HY000', `Malformed communication packet.${detail === undefined ? '' : ` ${detail}`}`);
}

/** A cursor over a packet payload; every read is bounds-checked (a short packet is 1835, never garbage). */
export class PayloadReader {
  readonly #bytes: Buffer;
  #offset: number;

  constructor(bytes: Buffer, offset = 0) {
    this.#bytes = bytes;
    this.#offset = offset;
  }

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  #need(n: number): number {
    if (n < 0 || this.#offset + n > this.#bytes.length) throw malformedPacket();
    const at = this.#offset;
    this.#offset += n;
    return at;
  }

  u8(): number {
    return this.#bytes.readUInt8(this.#need(1));
  }

  u16(): number {
    return this.#bytes.readUInt16LE(this.#need(2));
  }

  u32(): number {
    return this.#bytes.readUInt32LE(this.#need(4));
  }

  bytes(n: number): Buffer {
    const at = this.#need(n);
    return this.#bytes.subarray(at, at + n);
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }

  /** A length-encoded integer (must fit a JS number: lengths and counts). */
  lengthEncoded(): number {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfc) return this.u16();
    if (first === 0xfd) return this.u16() | (this.u8() << 16);
    if (first === 0xfe) {
      const n = this.#bytes.readBigUInt64LE(this.#need(8));
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw malformedPacket();
      return Number(n);
    }
    throw malformedPacket();
  }

  lengthEncodedBytes(): Buffer {
    return this.bytes(this.lengthEncoded());
  }

  /** Bytes up to (not including) the next NUL, which is consumed; the rest of the packet when there is none. */
  nulTerminated(): Buffer {
    const end = this.#bytes.indexOf(0, this.#offset);
    if (end < 0) return this.rest();
    const out = this.#bytes.subarray(this.#offset, end);
    this.#offset = end + 1;
    return out;
  }

  int(type: number, unsigned: boolean): bigint {
    switch (type) {
      case FieldType.TINY: {
        const v = this.u8();
        return BigInt(unsigned || v < 0x80 ? v : v - 0x100);
      }
      case FieldType.SHORT:
      case FieldType.YEAR: {
        const at = this.#need(2);
        return BigInt(unsigned ? this.#bytes.readUInt16LE(at) : this.#bytes.readInt16LE(at));
      }
      case FieldType.LONG:
      case FieldType.INT24: {
        const at = this.#need(4);
        return BigInt(unsigned ? this.#bytes.readUInt32LE(at) : this.#bytes.readInt32LE(at));
      }
      default: {
        const at = this.#need(8);
        return unsigned ? this.#bytes.readBigUInt64LE(at) : this.#bytes.readBigInt64LE(at);
      }
    }
  }

  float(): number {
    return this.#bytes.readFloatLE(this.#need(4));
  }

  double(): number {
    return this.#bytes.readDoubleLE(this.#need(8));
  }
}
