/**
 * max_allowed_packet: the largest statement (and, at the server, the largest client packet) accepted. MySQL's
 * ER_NET_PACKET_TOO_LARGE; the server also closes the connection, as MySQL does, since the rest of an oversized
 * packet cannot be read without buffering it.
 */
import { sqlError, type SqlError } from '../errors/index.ts';
import type { SessionVariables } from './variables/index.ts';

/** 1153 (08S01) `Got a packet bigger than 'max_allowed_packet' bytes`, with the sizes and what to do. */
export function packetTooLarge(bytes: number, limit: number): SqlError {
  return sqlError(
    'ER_NET_PACKET_TOO_LARGE',
    `Got a packet bigger than 'max_allowed_packet' bytes (${bytes} > ${limit}): send a smaller statement, or raise it with SET GLOBAL max_allowed_packet`,
  );
}

/** The session's max_allowed_packet in bytes. */
export function maxAllowedPacket(variables: SessionVariables): number {
  return Number(variables.get('max_allowed_packet'));
}

/** Throw 1153 when `sql` is longer (in UTF-8 bytes) than the session's max_allowed_packet. */
export function checkStatementSize(sql: string, variables: SessionVariables): void {
  const limit = maxAllowedPacket(variables);
  // Byte length is at most 3 × UTF-16 length: skip counting when even that fits.
  if (sql.length * 3 <= limit) return;
  const bytes = Buffer.byteLength(sql, 'utf8');
  if (bytes > limit) throw packetTooLarge(bytes, limit);
}
