import { describe, it, expect, vi } from 'vitest';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { parseServeArgs, runServe } from '../../src/server/serve-command.ts';
import { UsageError } from '../../src/cli/args.ts';

describe('tablevault serve arguments', () => {
  it('defaults to 127.0.0.1:9030, ./tablevault-data, 3 backends', () => {
    expect(parseServeArgs([])).toEqual({ dataDir: path.resolve('tablevault-data'), host: '127.0.0.1', port: 9030, backends: 3, logLevel: undefined });
    expect(parseServeArgs(['--port=0', '--data-dir', '/tmp/x', '--host', '0.0.0.0', '--backends', '5', '--log-level', 'debug'])).toEqual({
      dataDir: '/tmp/x',
      host: '0.0.0.0',
      port: 0,
      backends: 5,
      logLevel: 'debug',
    });
  });

  it('rejects bad values with a message that says what is allowed', () => {
    expect(() => parseServeArgs(['--port', '70000'])).toThrow(new UsageError("--port must be an integer from 0 to 65535, got '70000'"));
    expect(() => parseServeArgs(['--backends', '0'])).toThrow(UsageError);
    expect(() => parseServeArgs(['--log-level', 'loud'])).toThrow(/--log-level must be one of/);
    expect(() => parseServeArgs(['--prot', '1'])).toThrow(/unknown option --prot/);
    expect(parseServeArgs(['--help'])).toBe('help');
  });

  it('exits 1 with a clear message when the port is taken, before touching the data dir', async () => {
    const blocker = net.createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as net.AddressInfo).port;
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tv-')), 'data');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runServe(['--port', String(port), '--data-dir', dataDir, '--log-level', 'silent'])).toBe(1);
      expect(stderr).toHaveBeenCalledWith(`tablevault serve: port ${port} is already in use on 127.0.0.1: stop the other server or pass --port\n`);
      expect(fs.existsSync(dataDir)).toBe(false);
    } finally {
      stderr.mockRestore();
      blocker.close();
      fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  });
});
