import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const PREFIX = 'tvsb1:';

/** File name of the key inside the data directory: `<dataDir>/repository-secret.key`. */
export const SECRET_KEY_FILE_NAME = 'repository-secret.key';

/**
 * Keeps repository credentials out of plain text in the catalog: AES-256-GCM under a random key kept in its own
 * file (mode 0600) in the data directory.
 *
 * What this protects against: the catalog database file on its own — copied into a bug report, a support bundle, a
 * backup of the SQLite file, a `SELECT` by someone with catalog access — reveals no secret. What it does not protect
 * against: anyone who can read the whole data directory (the key file sits next to the catalog) or the process's
 * memory. The engine must be able to reconnect after a restart without a human, so some key must be on this machine;
 * an external KMS or passphrase slot would be the next step.
 */
export class SecretBox {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** Load the key at `keyFile`, creating it (0600, directory created if needed) on first use. */
  static async open(keyFile: string): Promise<SecretBox> {
    try {
      const key = await readFile(keyFile);
      if (key.length !== KEY_BYTES) throw new Error(`secret key file ${keyFile} is corrupt: expected ${KEY_BYTES} bytes, found ${key.length}`);
      return new SecretBox(key);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    }
    await mkdir(path.dirname(keyFile), { recursive: true });
    const key = randomBytes(KEY_BYTES);
    // 'wx' so two processes racing to create it cannot both win with different keys.
    try {
      const handle = await open(keyFile, 'wx', 0o600);
      try {
        await handle.writeFile(key);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await chmod(keyFile, 0o600);
      return new SecretBox(key);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EEXIST') return SecretBox.open(keyFile);
      throw error;
    }
  }

  /** A box over a given key (tests, or a key from elsewhere). */
  static fromKey(key: Uint8Array): SecretBox {
    if (key.length !== KEY_BYTES) throw new Error(`a secret key must be ${KEY_BYTES} bytes`);
    return new SecretBox(Buffer.from(key));
  }

  /** Encrypt; the result is printable ASCII and different every time (random IV). */
  seal(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Decrypt what seal() produced; throws when the text was altered or sealed under another key. */
  unseal(sealed: string): string {
    if (!sealed.startsWith(PREFIX)) throw new Error('not a sealed value');
    const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64');
    const iv = raw.subarray(0, IV_BYTES);
    const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('sealed repository settings cannot be decrypted: the secret key file does not match the catalog');
    }
  }
}
