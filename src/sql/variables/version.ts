import { readFileSync } from 'node:fs';

/**
 * Version strings clients see. `version` keeps a MySQL 8.0-shaped prefix because drivers parse it to pick
 * behaviour (Connector/J reads `transaction_isolation` rather than `tx_isolation` from 8.0.3 on, as StarRocks 3.x
 * also reports 8.0.33). It must NOT start with `5.5.5-`: the mariadb CLI and libmariadb strip that prefix and
 * assume a MariaDB server.
 */

function packageVersion(): string {
  try {
    // src/sql/variables/ and dist/sql/variables/ both sit three levels below the package root.
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** tablevault's own version (package.json). */
export const TABLEVAULT_VERSION: string = packageVersion();
/** `@@version` and the handshake's server version. */
export const SERVER_VERSION = `8.0.33-tablevault-${TABLEVAULT_VERSION}`;
/** `@@version_comment`: the banner text the mariadb CLI prints after "Server version:". */
export const VERSION_COMMENT = `tablevault ${TABLEVAULT_VERSION}`;
