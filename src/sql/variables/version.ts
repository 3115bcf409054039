import { readFileSync } from 'node:fs';

/**
 * Version strings clients see. `version` keeps a MySQL 8.0-shaped prefix because drivers parse it to pick
 * behaviour (Connector/J reads `transaction_isolation` rather than `tx_isolation` from 8.0.3 on, as StarRocks 3.x
 * also reports 8.0.33). It must NOT start with `5.5.5-`: the mariadb CLI and libmariadb strip that prefix and
 * assume a MariaDB server.
 */

function packageVersion(): string {
  // The sources run from src/sql/variables/, the build from dist/src/sql/variables/: walk up to the first
  // package.json instead of counting levels, and take it only if it is ours.
  let dir = new URL('.', import.meta.url);
  for (let depth = 0; depth < 6; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'tablevault' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    dir = new URL('..', dir);
  }
  return '0.0.0';
}

/** tablevault's own version (package.json). */
export const TABLEVAULT_VERSION: string = packageVersion();
/** `@@version` and the handshake's server version. */
export const SERVER_VERSION = `8.0.33-tablevault-${TABLEVAULT_VERSION}`;
/** `@@version_comment`: the banner text the mariadb CLI prints after "Server version:". */
export const VERSION_COMMENT = `tablevault ${TABLEVAULT_VERSION}`;
