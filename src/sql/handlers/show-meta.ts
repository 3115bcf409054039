/**
 * The MySQL metadata SHOW forms (ShowMeta): SHOW TABLE STATUS, SHOW INDEX, SHOW ENGINES, SHOW CHARSET, SHOW
 * COLLATION, SHOW TRIGGERS, SHOW PROCEDURE|FUNCTION STATUS, SHOW EVENTS, SHOW PLUGINS, SHOW PRIVILEGES — MySQL 8.0's
 * column titles, filled from the same sources as the information_schema tables (src/sql/table/system-tables), so
 * the two never disagree. LIKE matches the first column, as in MySQL (SHOW TRIGGERS: the table).
 */
import type { ShowMetaStmt } from '../../../grammar/ast.ts';
import { listTables } from '../../catalog/index.ts';
import type { Value } from '../../types/value.ts';
import type { ExecutionContext } from '../context.ts';
import { canSeeDatabase, canSeeTable, databaseAccessDenied } from '../privileges/check.ts';
import { OBJECT_PRIVILEGES } from '../privileges/model.ts';
import { requireDatabase, requireTable } from '../names.ts';
import { showResult, type StatementResult } from '../result.ts';
import { applyShowFilter } from '../show-filter.ts';
import { tableStatus } from '../table/system-tables/catalog-tables.ts';
import { tableKey } from '../table/system-tables/keys.ts';
import { CHARACTER_SETS, ENGINE_ROW, PLUGINS } from '../table/system-tables/static-tables.ts';

const text = (v: Value): string | null => (v === null ? null : String(v));

const TABLE_STATUS = [
  'Name', 'Engine', 'Version', 'Row_format', 'Rows', 'Avg_row_length', 'Data_length', 'Max_data_length', 'Index_length', 'Data_free',
  'Auto_increment', 'Create_time', 'Update_time', 'Check_time', 'Collation', 'Checksum', 'Create_options', 'Comment',
];
const INDEX = [
  'Table', 'Non_unique', 'Key_name', 'Seq_in_index', 'Column_name', 'Collation', 'Cardinality', 'Sub_part', 'Packed', 'Null',
  'Index_type', 'Comment', 'Index_comment', 'Visible', 'Expression',
];
const TRIGGERS = [
  'Trigger', 'Event', 'Table', 'Statement', 'Timing', 'Created', 'sql_mode', 'Definer', 'character_set_client', 'collation_connection',
  'Database Collation',
];
const ROUTINE_STATUS = [
  'Db', 'Name', 'Type', 'Definer', 'Modified', 'Created', 'Security_type', 'Comment', 'character_set_client', 'collation_connection',
  'Database Collation',
];
const EVENTS = [
  'Db', 'Name', 'Definer', 'Time zone', 'Type', 'Execute at', 'Interval value', 'Interval field', 'Starts', 'Ends', 'Status',
  'Originator', 'character_set_client', 'collation_connection', 'Database Collation',
];

/** SHOW PRIVILEGES: StarRocks' privilege names, each with the object types it is granted on. */
const CONTEXTS: Readonly<Record<keyof typeof OBJECT_PRIVILEGES, string>> = {
  SYSTEM: 'System',
  CATALOG: 'Catalogs',
  DATABASE: 'Databases',
  TABLE: 'Tables',
  VIEW: 'Views',
};

export function executeShowMeta(ctx: ExecutionContext, node: ShowMetaStmt): StatementResult {
  const { catalog } = ctx.services;
  switch (node.what) {
    case 'TABLE STATUS': {
      const db = requireDatabase(ctx, node.database);
      // As SHOW TABLES: a database the session holds nothing in is 1044; in a visible one, only visible tables.
      if (!canSeeDatabase(ctx, db.name)) throw databaseAccessDenied(ctx, db.name);
      const rows = listTables(catalog, db.id)
        .filter((t) => t.visible && canSeeTable(ctx, db.name, t.name))
        .map((t) => {
          if (t.kind === 'VIEW') return [t.name, ...TABLE_STATUS.slice(1, -1).map(() => null), 'VIEW'];
          const s = tableStatus(catalog, t);
          return [
            t.name, 'StarRocks', '10', 'Dynamic', text(s.rows), text(s.avgRowLength), text(s.dataLength), '0', '0', '0', null, s.createTime,
            s.updateTime, null, 'utf8_general_ci', null, '', t.comment,
          ];
        });
      return applyShowFilter(ctx, showResult(TABLE_STATUS, rows), node.filter, 'Name');
    }
    case 'INDEX': {
      const { table } = requireTable(ctx, node.table ?? { name: '' });
      const key = tableKey(table);
      const cardinality = key === undefined ? null : text(tableStatus(catalog, table).rows);
      const rows = (key?.columns ?? []).map((col, i) => [
        table.name, key?.unique === true ? '0' : '1', key?.name ?? null, String(i + 1), col, 'A', cardinality, null, null,
        table.columns.find((c) => c.name === col)?.nullable === true ? 'YES' : '', 'BTREE', '', '', 'YES', null,
      ]);
      return applyShowFilter(ctx, showResult(INDEX, rows), node.filter, 'Key_name');
    }
    case 'ENGINES':
      return showResult(['Engine', 'Support', 'Comment', 'Transactions', 'XA', 'Savepoints'], [[...ENGINE_ROW]]);
    case 'CHARSET':
      return applyShowFilter(
        ctx,
        showResult(['Charset', 'Description', 'Default collation', 'Maxlen'], CHARACTER_SETS.map((c) => [c.name, c.description, c.collations[0]?.name ?? null, String(c.maxlen)])),
        node.filter,
        'Charset',
      );
    case 'COLLATION':
      return applyShowFilter(
        ctx,
        showResult(
          ['Collation', 'Charset', 'Id', 'Default', 'Compiled', 'Sortlen', 'Pad_attribute'],
          CHARACTER_SETS.flatMap((c) => c.collations.map((k, i) => [k.name, c.name, String(k.id), i === 0 ? 'Yes' : '', 'Yes', '1', 'PAD SPACE'])),
        ),
        node.filter,
        'Collation',
      );
    case 'TRIGGERS':
      // No triggers exist; the database must (MySQL: 1046 / 1049).
      requireDatabase(ctx, node.database);
      return applyShowFilter(ctx, showResult(TRIGGERS, []), node.filter, 'Table');
    case 'EVENTS':
      requireDatabase(ctx, node.database);
      return applyShowFilter(ctx, showResult(EVENTS, []), node.filter, 'Name');
    case 'PROCEDURE STATUS':
    case 'FUNCTION STATUS':
      return applyShowFilter(ctx, showResult(ROUTINE_STATUS, []), node.filter, 'Name');
    case 'PLUGINS':
      return showResult(['Name', 'Status', 'Type', 'Library', 'License'], PLUGINS.map((p) => [p.name, 'ACTIVE', p.type, null, 'GPL']));
    case 'PRIVILEGES': {
      const contexts = new Map<string, string[]>();
      for (const [type, privileges] of Object.entries(OBJECT_PRIVILEGES) as [keyof typeof OBJECT_PRIVILEGES, readonly string[]][]) {
        for (const p of privileges) contexts.set(p, [...(contexts.get(p) ?? []), CONTEXTS[type]]);
      }
      return showResult(['Privilege', 'Context', 'Comment'], [...contexts].map(([p, c]) => [p, c.join(','), '']));
    }
  }
}
