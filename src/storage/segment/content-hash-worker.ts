/**
 * Content hashes of whole segment files (content-hash.ts), computed off the event loop: RESTORE recomputes the hash of
 * every file it downloaded, and a backup hashes segments written before content hashes existed (once). Hashing is
 * per-byte work, and the thread that answers clients must stay free of it (DESIGN §7), so one worker thread — made
 * on first use, unreferenced while idle — reads and hashes the files. Its code is contentHashKit's own source text,
 * the same function the writer hashes with (an `eval` worker, like src/util/fs-pool.ts, so it runs alike under tsx,
 * vitest and the compiled package).
 */
import { Worker } from 'node:worker_threads';
import { contentHashKit, type SegmentContentHash } from './content-hash.ts';

/** The outcome for one file: its rows and hash, or why it could not be hashed (unreadable, not a segment). */
export type FileHashResult = { readonly ok: true; readonly value: SegmentContentHash } | { readonly ok: false; readonly message: string };

interface Pending {
  readonly resolve: (results: FileHashResult[]) => void;
  readonly reject: (error: Error) => void;
}

const SOURCE = `"use strict";var __name=(f)=>f;
const kit=(${contentHashKit.toString()})();
const fs=require('node:fs');
const {parentPort}=require('node:worker_threads');
parentPort.on('message',(m)=>{
  const out=[];
  for(const p of m.paths){
    if(m.cancel[0]===1){out.push({ok:false,message:'cancelled'});continue;}
    try{out.push({ok:true,value:kit.segment(fs.readFileSync(p))});}
    catch(e){out.push({ok:false,message:String(e&&e.message||e)});}
  }
  parentPort.postMessage({id:m.id,out});
});`;

let thread: Worker | null = null;
let nextId = 1;
const pending = new Map<number, Pending>();

function worker(): Worker {
  if (thread !== null) return thread;
  const t = new Worker(SOURCE, { eval: true });
  t.on('message', (m: { id: number; out: FileHashResult[] }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (pending.size === 0) t.unref();
    p?.resolve(m.out);
  });
  const fail = (error: Error): void => {
    if (thread === t) thread = null;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  t.on('error', fail);
  t.on('exit', (code) => fail(new Error(`content hash worker exited with code ${code}`)));
  t.unref();
  thread = t;
  return t;
}

/**
 * Rows and content hash of each file (in order), read and hashed on the worker thread. One file's failure does not
 * stop the others. An abort stops the batch between two files and rejects with the signal's reason.
 */
export async function hashSegmentFiles(paths: readonly string[], signal?: AbortSignal): Promise<FileHashResult[]> {
  if (paths.length === 0) return [];
  signal?.throwIfAborted();
  const t = worker();
  const id = nextId++;
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = (): void => {
    Atomics.store(cancel, 0, 1);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const results = await new Promise<FileHashResult[]>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      t.ref();
      t.postMessage({ id, paths: [...paths], cancel });
    });
    signal?.throwIfAborted();
    return results;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
