/**
 * fast-check arbitraries for statements that carry credentials, written every way a user might: comments (`/​**​/`,
 * `/* x *​/`, `-- x⏎`, `#x⏎`) and line breaks between any two tokens, keywords in odd casing, single- or double-quoted
 * literals with escaped quotes and backslashes inside the secret. Each case carries a random `marker` that is part of
 * the secret and must never be seen anywhere but in the statement itself.
 */
import fc from 'fast-check';
import { nativePasswordHash } from '../../src/util/native-password.ts';

/** A statement with a secret in it. */
export interface SecretCase {
  /** The statement text as typed. */
  readonly sql: string;
  /** Part of every secret in the statement: must appear nowhere else. */
  readonly marker: string;
  /** What the statement is, and what it should do when run. */
  readonly family: SecretFamily;
  /** The secret value as the statement means it (unescaped), when it parses. */
  readonly secret: string;
  /** Account the statement sets a password for (user statements). */
  readonly user?: string;
  /** The plain password that logs in to `user` afterwards (user statements that parse). */
  readonly password?: string;
  /** The property key the secret is under (repository statements). */
  readonly key?: string;
  /** True when the statement is a syntax error on purpose. */
  readonly unparseable: boolean;
}

export type SecretFamily =
  | 'create-user'
  | 'create-user-with'
  | 'create-user-hash'
  | 'alter-user'
  | 'set-password-for'
  | 'set-password-own'
  | 'set-password-hash'
  | 'grant-identified'
  | 'repository-property'
  | 'repository-endpoint'
  | 'repository-location';

/** Whitespace and comments placed between tokens. */
export const trivia: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(' ', '\n', '\t', '/**/', ' /* x */ ', ' -- x\n', '#x\n', '\r\n', ' /*\n*/ '), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join(''));

/** A keyword in some casing. */
function cased(word: string): fc.Arbitrary<string> {
  return fc.constantFrom(word.toUpperCase(), word.toLowerCase(), [...word].map((c, i) => (i % 2 === 0 ? c.toLowerCase() : c.toUpperCase())).join(''));
}

/** The random part every secret holds. Letters and digits only, so it is found as written wherever it leaks. */
export const marker: fc.Arbitrary<string> = fc.stringMatching(/^[A-Za-z0-9]{10,14}$/).map((s) => `Mk${s}`);

/** A secret around the marker, with characters that need escaping in SQL. */
function secretAround(mark: string): fc.Arbitrary<string> {
  const edge = fc.constantFrom('', "'", '"', '\\', ' ', 'p@ss', '/', ':', '%', "it's");
  return fc.tuple(edge, edge).map(([a, b]) => `${a}${mark}${b}`);
}

/** A string literal for `value`, in either quote, with the quote escaped as `\q` or `qq`. */
function literal(value: string): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom("'", '"'), fc.boolean()).map(([q, doubled]) => {
    const body = value.replace(/\\/g, '\\\\').split(q).join(doubled ? q + q : `\\${q}`);
    return `${q}${body}${q}`;
  });
}

/** Join tokens with random trivia between every two of them (and sometimes around the statement). */
function statement(tokens: readonly fc.Arbitrary<string>[]): fc.Arbitrary<string> {
  return fc.tuple(fc.tuple(...tokens), fc.array(trivia, { minLength: tokens.length + 1, maxLength: tokens.length + 1 }), fc.boolean()).map(([words, gaps, edges]) => {
    let out = edges ? (gaps[0] as string).replace(/^\s+/, '') : '';
    words.forEach((w, i) => {
      out += i === 0 ? w : `${gaps[i]}${w}`;
    });
    return edges ? out + (gaps[words.length] as string) : out;
  });
}

const kw = (...words: string[]): fc.Arbitrary<string>[] => words.map(cased);
const lit = (text: string): fc.Arbitrary<string> => fc.constant(text);

let userCounter = 0;

/** Statements of the account family: CREATE / ALTER USER … IDENTIFIED BY, SET PASSWORD [FOR] … = PASSWORD(…). */
export function userCase(): fc.Arbitrary<SecretCase> {
  return fc
    .tuple(
      marker,
      fc.constantFrom<SecretFamily>('create-user', 'create-user-with', 'create-user-hash', 'alter-user', 'set-password-for', 'set-password-own', 'set-password-hash', 'grant-identified'),
    )
    .chain(([mark, family]) => {
      const user = `u${(userCounter++).toString(36)}_${mark.slice(2, 6).toLowerCase()}`;
      const who = fc.constantFrom(`'${user}'@'%'`, `"${user}"@"%"`, `\`${user}\`@'%'`, `'${user}'`);
      const hashed = family === 'create-user-hash' || family === 'set-password-hash';
      return secretAround(mark).chain((plain) => {
        // A hash is hex: its own 40 digits are the marker then.
        const secret = hashed ? nativePasswordHash(plain) : plain;
        const mk = hashed ? secret.slice(1) : mark;
        const value = literal(secret);
        const tokens: fc.Arbitrary<string>[] = (() => {
          switch (family) {
            case 'create-user': return [...kw('CREATE', 'USER'), who, ...kw('IDENTIFIED', 'BY'), value];
            case 'create-user-with': return [...kw('CREATE', 'USER'), who, ...kw('IDENTIFIED', 'WITH'), lit('mysql_native_password'), cased('BY'), value];
            case 'create-user-hash': return [...kw('CREATE', 'USER'), who, ...kw('IDENTIFIED', 'BY', 'PASSWORD'), value];
            case 'alter-user': return [...kw('ALTER', 'USER'), who, ...kw('IDENTIFIED', 'BY'), value];
            case 'set-password-for': return [...kw('SET', 'PASSWORD', 'FOR'), who, lit('='), cased('PASSWORD'), lit('('), value, lit(')')];
            case 'set-password-own': return [...kw('SET', 'PASSWORD'), lit('='), cased('PASSWORD'), lit('('), value, lit(')')];
            case 'set-password-hash': return [...kw('SET', 'PASSWORD', 'FOR'), who, lit('='), value];
            default: return [...kw('GRANT', 'SELECT', 'ON'), lit('*.*'), cased('TO'), who, ...kw('IDENTIFIED', 'BY'), value];
          }
        })();
        return statement(tokens).map((sql): SecretCase => ({ sql, marker: mk, family, secret, user, password: plain, unparseable: family === 'grant-identified' }));
      });
    });
}

let repositoryCounter = 0;

/** Spellings of a secret property key: as the brokers accept it, or in a form the grammar or the broker rejects. */
const SECRET_KEYS = ['aws.s3.secret_key', 'aws.s3.access_key', 'fs.s3a.secret.key', 'fs.s3a.access.key'] as const;

/** CREATE REPOSITORY with the secret in a property (any position), in the endpoint's userinfo or in the location's. */
export function repositoryCase(bucket: string, endpoint: string): fc.Arbitrary<SecretCase> {
  return fc
    .tuple(marker, fc.constantFrom<SecretFamily>('repository-property', 'repository-property', 'repository-endpoint', 'repository-location'), fc.nat(3), fc.constantFrom(...SECRET_KEYS))
    .chain(([mark, family, position, key]) =>
      secretAround(mark).chain((secret) => {
        const keyForm = fc.constantFrom('plain', 'plain', 'double', 'upper', 'backquoted');
        return fc.tuple(literal(secret), keyForm, fc.constantFrom("'", '"')).chain(([value, form, q]) => {
          // A counter, not only the marker: fast-check's shrinking re-runs cases with the same marker.
          const name = `r${(repositoryCounter++).toString(36)}_${mark.slice(2, 8).toLowerCase()}`;
          const keyText = form === 'double' ? `"${key}"` : form === 'upper' ? `'${key.toUpperCase()}'` : form === 'backquoted' ? `\`${key}\`` : `'${key}'`;
          const props: string[][] = [
            [`${q}aws.s3.endpoint${q}`, '=', family === 'repository-endpoint' ? `${q}${endpoint.replace('://', `://tv:${mark}@`)}${q}` : `${q}${endpoint}${q}`],
            [`${q}aws.s3.region${q}`, '=', `${q}us-east-1${q}`],
            [`${q}aws.s3.enable_path_style_access${q}`, '=', `${q}true${q}`],
          ];
          const other = key.includes('secret') ? key.replace(/secret([._])key/, 'access$1key') : key.replace(/access([._])key/, 'secret$1key');
          if (family === 'repository-property') {
            props.splice(Math.min(position, props.length), 0, [keyText, '=', value]);
            props.push([`'${other}'`, '=', "'S3RVER'"]);
          } else {
            props.push([`'aws.s3.access_key'`, '=', "'S3RVER'"], [`'aws.s3.secret_key'`, '=', "'S3RVER'"]);
          }
          const location = family === 'repository-location' ? `'s3://AKIA:${mark}@${bucket}/${name}'` : `'s3://${bucket}/${name}'`;
          const tokens: fc.Arbitrary<string>[] = [...kw('CREATE', 'REPOSITORY'), lit(name), ...kw('WITH', 'BROKER', 'ON', 'LOCATION'), lit(location), cased('PROPERTIES'), lit('(')];
          props.forEach((p, i) => {
            if (i > 0) tokens.push(lit(','));
            tokens.push(...p.map(lit));
          });
          tokens.push(lit(')'));
          const unparseable = family === 'repository-property' && form === 'backquoted';
          return statement(tokens).map((sql): SecretCase => ({
            sql,
            marker: mark,
            family,
            secret: family === 'repository-property' ? secret : mark,
            ...(family === 'repository-property' ? { key: form === 'upper' ? key.toUpperCase() : key } : {}),
            unparseable,
          }));
        });
      }),
    );
}

/** Any secret statement, for the checks that do not run it. */
export function anySecretCase(): fc.Arbitrary<SecretCase> {
  return fc.oneof(userCase(), repositoryCase('bucket-x', 'http://127.0.0.1:9000'));
}
