/**
 * Content hashes of whole segment files (content-hash.ts), computed off the event loop: RESTORE recomputes the hash of
 * every file it downloaded, and a backup hashes segments written before content hashes existed (once). Hashing is
 * per-byte work, and the thread that answers clients must stay free of it (DESIGN §7), so up to two worker threads —
 * made on first use, unreferenced while idle — read and hash the files. Its code is contentHashKit's own source text,
 * the same function the writer hashes with (an `eval` worker, like src/util/fs-pool.ts, so it runs alike under tsx,
 * vitest and the compiled package).
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { contentHashKit, type SegmentContentHash } from './content-hash.ts';

/** The outcome for one file: its rows and hash, or why it could not be hashed (unreadable, not a segment). */
export type FileHashResult = { readonly ok: true; readonly value: SegmentContentHash } | { readonly ok: false; readonly message: string };

interface Pending {
  readonly resolve: (results: FileHashResult[]) => void;
  readonly reject: (error: Error) => void;
}

// One read buffer per thread, grown to the largest file and reused: a fresh buffer per file costs its page faults.
const SOURCE = `"use strict";var __name=(f)=>f;
const kit=(${contentHashKit.toString()})();
const fs=require('node:fs');
const {parentPort}=require('node:worker_threads');
let buf=Buffer.allocUnsafe(1<<20);
function read(p){
  const fd=fs.openSync(p,'r');
  try{
    const size=fs.fstatSync(fd).size;
    if(size>buf.length)buf=Buffer.allocUnsafe(Math.max(size,buf.length*2));
    let n=0;
    while(n<size){const r=fs.readSync(fd,buf,n,size-n,n);if(r===0)break;n+=r;}
    return buf.subarray(0,n);
  }finally{fs.closeSync(fd);}
}
parentPort.on('message',(m)=>{
  const out=[];
  for(const p of m.paths){
    if(m.cancel[0]===1){out.push({ok:false,message:'cancelled'});continue;}
    try{out.push({ok:true,value:kit.segment(read(p))});}
    catch(e){out.push({ok:false,message:String(e&&e.message||e)});}
  }
  parentPort.postMessage({id:m.id,out});
});`;

/** Threads: the hashing of a restore's chunk runs while nothing else of the job does, so both cores of a small box help. */
const THREADS = Math.max(1, Math.min(2, os.availableParallelism()));

const threads: (Worker | null)[] = Array.from({ length: THREADS }, () => null);
let nextId = 1;
const pending = new Map<number, Pending & { readonly slot: number }>();

function worker(slot: number): Worker {
  const existing = threads[slot];
  if (existing !== null && existing !== undefined) return existing;
  const t = new Worker(SOURCE, { eval: true });
  const idle = (): boolean => ![...pending.values()].some((p) => p.slot === slot);
  t.on('message', (m: { id: number; out: FileHashResult[] }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (idle()) t.unref();
    p?.resolve(m.out);
  });
  const fail = (error: Error): void => {
    if (threads[slot] === t) threads[slot] = null;
    for (const [id, p] of pending) {
      if (p.slot !== slot) continue;
      pending.delete(id);
      p.reject(error);
    }
  };
  t.on('error', fail);
  t.on('exit', (code) => fail(new Error(`content hash worker exited with code ${code}`)));
  t.unref();
  threads[slot] = t;
  return t;
}

function runOn(slot: number, paths: readonly string[], cancel: Int32Array): Promise<FileHashResult[]> {
  if (paths.length === 0) return Promise.resolve([]);
  const t = worker(slot);
  const id = nextId++;
  return new Promise<FileHashResult[]>((resolve, reject) => {
    pending.set(id, { resolve, reject, slot });
    t.ref();
    t.postMessage({ id, paths: [...paths], cancel });
  });
}

/**
 * Rows and content hash of each file (in order), read and hashed on the worker threads (the list split between
 * them). One file's failure does not stop the others. An abort stops the batch between two files and rejects with
 * the signal's reason.
 */
export async function hashSegmentFiles(paths: readonly string[], signal?: AbortSignal): Promise<FileHashResult[]> {
  if (paths.length === 0) return [];
  signal?.throwIfAborted();
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = (): void => {
    Atomics.store(cancel, 0, 1);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const per = Math.ceil(paths.length / THREADS);
    const parts = await Promise.all(Array.from({ length: THREADS }, (_, slot) => runOn(slot, paths.slice(slot * per, (slot + 1) * per), cancel)));
    signal?.throwIfAborted();
    return parts.flat();
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
