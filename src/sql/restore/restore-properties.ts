import type { Property } from '../../../grammar/ast.ts';
import { analysisError } from '../../errors/index.ts';

/**
 * RESTORE's PROPERTIES (StarRocks' visitRestoreStatement, reference §1.4), with StarRocks' messages — including the
 * quirk that every integer property reports `Invalid meta version format` — and one change: the default
 * replication_num is min(3, backends), not 3, so a restore on a one- or two-backend instance just works (StarRocks
 * #45323: "failed to find 1 different hosts to create table").
 */

/** StarRocks' backup_job_default_timeout_ms. */
export const DEFAULT_RESTORE_TIMEOUT_MS = 86_400 * 1000;
const MIN_TIMEOUT_SECONDS = 600;
// retry_of: checked by restore-retry.ts (it needs the job catalog).
const KNOWN = new Set(['backup_timestamp', 'replication_num', 'allow_load', 'timeout', 'meta_version', 'starrocks_meta_version', 'retry_of', 'source']);

export interface RestoreProperties {
  /** `backup_timestamp`, verbatim (a prefix of the `__info_<ts>` file name). */
  readonly timestamp: string;
  readonly replicationNum: number;
  /** True when `replication_num` was written. */
  readonly replicationNumExplicit: boolean;
  /** `allow_load` — accepted and shown; StarRocks ignores it while restoring, and so does tablevault. */
  readonly allowLoad: boolean;
  readonly timeoutMs: number;
  /** `meta_version` / `starrocks_meta_version` overrides, -1 when not given (compatibility knobs; not needed to read tablevault metas). */
  readonly metaVersion: number;
  readonly starrocksMetaVersion: number;
  /** `source`: "repository" (the default) or "local" — the kept local snapshot (src/jobs/restore-local.ts). */
  readonly source: 'repository' | 'local';
  /** As written. */
  readonly raw: Readonly<Record<string, string>>;
}

function parseIntProperty(value: string): number {
  const text = value.trim();
  if (!/^[-+]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw analysisError(`Invalid meta version format: ${value}`);
  return Number(text);
}

/** Parse and check; `backends` is the number of backends (the replication limit and the default's cap). */
export function analyzeRestoreProperties(properties: readonly Property[], backends: number): RestoreProperties {
  const raw: Record<string, string> = {};
  for (const p of properties) raw[p.key] = p.value;
  const unknown = [...new Set(properties.map((p) => p.key))].filter((k) => !KNOWN.has(k));
  let replicationNum = Math.min(3, backends);
  let replicationNumExplicit = false;
  let allowLoad = false;
  let timeoutMs = DEFAULT_RESTORE_TIMEOUT_MS;
  let metaVersion = -1;
  let starrocksMetaVersion = -1;
  let source: RestoreProperties['source'] = 'repository';
  for (const { key, value } of properties) {
    switch (key) {
      case 'source': {
        const v = value.trim().toLowerCase();
        if (v !== 'local' && v !== 'repository') throw analysisError(`Invalid source: '${value}'. Write "local" (the kept local snapshot) or "repository"`);
        source = v;
        break;
      }
      case 'replication_num':
        replicationNum = parseIntProperty(value);
        replicationNumExplicit = true;
        break;
      case 'allow_load': {
        const v = value.toLowerCase();
        if (v !== 'true' && v !== 'false') throw analysisError(`Invalid allow load value: ${value}`);
        allowLoad = v === 'true';
        break;
      }
      case 'timeout': {
        const text = value.trim();
        if (!/^[-+]?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw analysisError(`Invalid timeout format: ${value}`);
        if (Number(text) < MIN_TIMEOUT_SECONDS) throw analysisError('timeout must be at least 10 min');
        timeoutMs = Number(text) * 1000;
        break;
      }
      case 'meta_version':
        metaVersion = parseIntProperty(value);
        break;
      case 'starrocks_meta_version':
        starrocksMetaVersion = parseIntProperty(value);
        break;
      default:
        break;
    }
  }
  if (unknown.length > 0) throw analysisError(`Unknown restore job properties: [${unknown.join(', ')}]`);
  const timestamp = raw['backup_timestamp'];
  if (timestamp === undefined) throw analysisError('Missing backup_timestamp property');
  if (replicationNum < 1) throw analysisError(`replication_num must be at least 1, but got ${replicationNum}`);
  if (replicationNum > backends) {
    throw analysisError(
      `replication_num ${replicationNum} is larger than the number of backends (${backends}); use "replication_num" = "${backends}" or fewer`,
    );
  }
  return { timestamp, replicationNum, replicationNumExplicit, allowLoad, timeoutMs, metaVersion, starrocksMetaVersion, source, raw };
}
