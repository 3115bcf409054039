/** The statement scanner's mysql-client terminators and script commands (shared by batch mode and the shell). */
import { describe, expect, it } from 'vitest';
import { scanStatements, StatementBuffer, verticalRequest } from '../../src/cli/shell/statement-scanner.ts';
import { parseMeta } from '../../src/cli/shell/meta-commands.ts';

describe('\\g, \\G and command lines', () => {
  it('\\g and \\G end statements outside quotes and comments; \\G asks for vertical output', () => {
    const text = "SELECT 1\\GSELECT '\\\\G' /* \\G */ AS x\\g SELECT `a\\G` FROM t;\n-- \\G\nSELECT 2";
    const scan = scanStatements(text);
    expect(scan.items.map((i) => (i.kind === 'statement' ? [i.text, i.vertical, i.offset] : ['cmd', i.text]))).toEqual([
      ['SELECT 1', true, 0],
      ["SELECT '\\\\G' /* \\G */ AS x", false, text.indexOf("SELECT '")],
      ['SELECT `a\\G` FROM t', false, text.indexOf('SELECT `a')],
    ]);
    expect(scan.statements).toEqual(['SELECT 1\\G', "SELECT '\\\\G' /* \\G */ AS x", 'SELECT `a\\G` FROM t']);
    expect(scan.rest.trim()).toBe('-- \\G\nSELECT 2');
    expect(verticalRequest('SELECT 1\\G')).toEqual({ sql: 'SELECT 1', vertical: true });
    expect(verticalRequest('SELECT 1')).toEqual({ sql: 'SELECT 1', vertical: false });
  });

  it('a backslash command on a line of its own between statements is a command item', () => {
    const scan = scanStatements("BACKUP SNAPSHOT d.s TO r;\n  \\wait 12\nSELECT 1;");
    expect(scan.items).toEqual([
      { kind: 'statement', text: 'BACKUP SNAPSHOT d.s TO r', vertical: false, offset: 0 },
      { kind: 'command', text: '\\wait 12', offset: 28 },
      { kind: 'statement', text: 'SELECT 1', vertical: false, offset: 37 },
    ]);
  });

  it('the interactive buffer: \\G on its own line ends the pending statement; \\g, \\G are not meta-commands', () => {
    const buffer = new StatementBuffer();
    expect(buffer.push('SELECT 1,')).toEqual([]);
    expect(buffer.pending).toBe(true);
    expect(buffer.push('\\G')).toEqual(['SELECT 1,\\G']);
    expect(buffer.pending).toBe(false);
    expect(parseMeta('\\G')).toBeNull();
    expect(parseMeta('\\g')).toBeNull();
    expect(parseMeta('\\x auto')).toEqual({ name: 'x', args: ['auto'] });
  });
});
