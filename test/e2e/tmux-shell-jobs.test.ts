import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWebHdfsServer, type WebHdfsTestServer } from '../support/webhdfs-server.ts';
import { hasTmux, startUploadGate, TmuxSession, type Gate } from './tmux-harness.ts';

const run = hasTmux || process.env['CI'] === 'true';
// The sources through tsx (scripts/tablevault-dev.js): bin/tablevault.js runs dist/, which may be stale here.
const BIN = fileURLToPath(new URL('../../scripts/tablevault-dev.js', import.meta.url));

describe.runIf(run)('shell progress line for BACKUP (tmux)', () => {
  let dir: string;
  let hdfs: WebHdfsTestServer;
  let gate: Gate;
  let session: TmuxSession | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tv-shell-jobs-'));
    hdfs = await startWebHdfsServer();
    gate = await startUploadGate(hdfs.port);
  });

  afterAll(async () => {
    session?.kill();
    await gate.stop();
    await hdfs.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('shows a live progress line, Ctrl-C detaches (the job goes on), \\wait re-attaches, \\q waits for a running job', async () => {
    const s = new TmuxSession(['node', BIN, 'sql', '--data-dir', path.join(dir, 'data')], {
      width: 120,
      height: 50,
      env: { TABLEVAULT_HISTFILE: path.join(dir, 'history'), TABLEVAULT_LOG_LEVEL: 'silent' },
    });
    session = s;
    await s.waitFor(/tablevault=> $/m);
    s.line('CREATE DATABASE d; USE d;');
    s.line('CREATE TABLE t (id INT, v VARCHAR(40)) DISTRIBUTED BY HASH(id) BUCKETS 3;');
    s.line("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four'), (5, 'five'), (6, 'six');");
    s.line(`CREATE REPOSITORY r WITH BROKER ON LOCATION 'hdfs://127.0.0.1:${gate.port}/backups' PROPERTIES ("username" = "tester");`);
    await s.waitForCount(/Query OK/, 5);

    s.line('BACKUP SNAPSHOT d.s1 TO r;');
    await s.waitFor(/BACKUP job \d+ \(s1\) started; Ctrl-C detaches/);
    // The live line: kind, label, state and file counts while the uploads are held.
    let screen = await s.waitFor(/^BACKUP s1 {2}UPLOADING .*\d+\/\d+ files/m);
    expect(gate.held).toBeGreaterThan(0);

    s.keys('C-c');
    screen = await s.waitFor(/Detached from BACKUP job \d+ \(s1, UPLOADING\); it goes on\. \\wait re-attaches\.\nd=> $/m);
    // The shell is usable while the job waits.
    s.line('SELECT COUNT(*) AS n FROM t;');
    await s.waitFor(/ n\n---\n 6\n\(1 row\)/);

    s.line('\\wait');
    await s.waitFor(/Re-attached to BACKUP job \d+ \(s1\); Ctrl-C detaches\./);
    gate.open();
    screen = await s.waitFor(/^BACKUP s1 FINISHED: \d+ files, [\d.]+ [KMG]?i?B in \d+s$/m);
    await s.waitFor(/FINISHED.*\nd=> $/m);

    // A job still running when the user quits: the shell waits for it (embedded, the engine would stop it).
    gate.close();
    s.line('BACKUP SNAPSHOT d.s2 TO r;');
    await s.waitFor(/^BACKUP s2 {2}UPLOADING/m);
    s.keys('C-c');
    await s.waitFor(/Detached from BACKUP job \d+ \(s2/);
    s.line('\\q');
    await s.waitFor(/Waiting for BACKUP s2 to end/);
    expect(s.screen()).not.toMatch(/\[exit \d+\]/);
    gate.open();
    await s.waitFor(/^BACKUP s2 FINISHED/m);
    await s.waitFor(/^\[exit 0\]$/m);
    expect(fs.readdirSync(hdfs.root, { recursive: true }).some((f) => String(f).includes('__ss_s2'))).toBe(true);
  });
});
