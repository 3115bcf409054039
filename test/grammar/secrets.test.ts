import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseStatement, redactSql, redactStatement, redactUnparsed, scrubSecrets, secretSpans, secretTexts, type Statement,
} from '../../grammar/index.ts';
import { isSqlError } from '../../src/errors/index.ts';
import { anySecretCase, repositoryCase, userCase, type SecretCase } from '../support/secret-statements.ts';

function parsed(c: SecretCase): Statement {
  return parseStatement(c.sql);
}

/** The value the AST holds for the case's secret. */
function secretInAst(statement: Statement, c: SecretCase): string | undefined {
  switch (statement.kind) {
    case 'CreateUser':
    case 'AlterUser':
    case 'SetPassword':
      return statement.password === undefined ? undefined : statement.password.kind === 'PlainPassword' ? statement.password.password : statement.password.hash;
    case 'CreateRepository':
      return statement.properties.find((p) => p.key === c.key)?.value;
    default:
      return undefined;
  }
}

describe('secrets are known by the AST', () => {
  it('credential statements written any way (comments, line breaks, casing, quoting, escapes) parse to the intended secret, and their redacted text never holds it (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(userCase(), repositoryCase('bkt-secrets', 'http://127.0.0.1:9000')), (c) => {
        if (c.unparseable) {
          let error: unknown;
          try {
            parseStatement(c.sql);
          } catch (e) {
            error = e;
          }
          // The syntax error quotes the statement: never the secret.
          expect(isSqlError(error)).toBe(true);
          expect((error as Error).message).not.toContain(c.marker);
        } else {
          const statement = parsed(c);
          if (c.family !== 'repository-endpoint' && c.family !== 'repository-location') expect(secretInAst(statement, c)).toBe(c.secret);
          const shown = redactStatement(c.sql, statement);
          expect(shown).not.toContain(c.marker);
          expect(shown).toContain('<secret>');
          // Only the secret went: the statement's words are still there (comments included).
          expect(shown.replace(/<secret>/g, '')).toBe(stripSpans(c.sql, statement));
        }
        expect(redactSql(c.sql, 1_000_000)).not.toContain(c.marker);
        expect(redactSql(`SELECT 1;\n${c.sql};\nSELECT 'kept'`, 1_000_000)).not.toContain(c.marker);
      }),
      { numRuns: 300 },
    );
  });

  it('spans cover exactly the literal, quotes included, and the userinfo of a URL', () => {
    const text = "CREATE USER 'u'@'%' IDENTIFIED /* x */ BY 'p''w'";
    const s = parseStatement(text);
    expect(secretSpans(s).map((r) => text.slice(r.start, r.end))).toEqual(["'p''w'"]);
    const repo = `CREATE REPOSITORY r WITH BROKER ON LOCATION "s3://AK:se/cr@et@bkt/p" PROPERTIES ('aws.s3.endpoint' = 'https://u:p@w@h:9000', "aws.s3.REGION" = 'x', 'AWS.S3.SECRET_KEY' -- note
      = "k\\"ey")`;
    const rs = parseStatement(repo);
    expect(secretSpans(rs).map((r) => repo.slice(r.start, r.end))).toEqual(['AK:se/cr@et', 'u:p@w', '"k\\"ey"']);
    expect(redactStatement(repo, rs)).toBe(`CREATE REPOSITORY r WITH BROKER ON LOCATION "s3://<secret>@bkt/p" PROPERTIES ('aws.s3.endpoint' = 'https://<secret>@h:9000', "aws.s3.REGION" = 'x', 'AWS.S3.SECRET_KEY' -- note
      = <secret>)`);
  });

  it('keys the brokers do not know yet but that name a credential are masked too', () => {
    for (const key of ['aws.s3.session_token', 'hadoop.kerberos.keytab_content', 'broker.password', 'fs.azure.sas.token', 'PASSWORD', 'fs.oss.accessKeySecret']) {
      const text = `BACKUP SNAPSHOT d.s TO r PROPERTIES ('${key}' = 'v4lue-here', 'type' = 'full')`;
      expect(redactStatement(text, parseStatement(text))).toBe(`BACKUP SNAPSHOT d.s TO r PROPERTIES ('${key}' = <secret>, 'type' = 'full')`);
    }
  });

  it('text that does not parse has every quoted token masked, unterminated ones to the end', () => {
    expect(redactUnparsed("CREAT USER u IDENTIFIED BY 'pw' `x` \"y\"")).toBe('CREAT USER u IDENTIFIED BY <secret> <secret> <secret>');
    expect(redactUnparsed("CREATE USER u IDENTIFIED BY 'open and -- more")).toBe('CREATE USER u IDENTIFIED BY <secret>');
    expect(redactUnparsed("CREATE USER u IDENTIFIED BY /* open 'pw'")).toBe('CREATE USER u IDENTIFIED BY <secret>');
    expect(redactSql("SELECT 'a'; CREATE USER u IDENTIFIED BY 'pw' oops; SELECT 'b'")).toBe("SELECT 'a'; CREATE USER u IDENTIFIED BY <secret> oops; SELECT 'b'");
    // A character the lexer rejects anywhere: nothing is trusted to parse.
    expect(redactSql("SELECT 'a' \\ ; CREATE USER u IDENTIFIED BY 'pw'")).toBe('SELECT <secret> \\ ; CREATE USER u IDENTIFIED BY <secret>');
  });

  it('syntax errors quote the statement with its quoted tokens masked', () => {
    const error = (() => {
      try {
        parseStatement("CREATE USR 'u' IDENTIFIED BY 'hunter22'");
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a syntax error');
    })();
    expect(error.message).toContain("near 'USR <secret> IDENTIFIED BY <secret>' at line 1, column 8");
    expect(() => parseStatement("CREATE USER u IDENTIFIED BY 'unterminated")).toThrow(/near '<secret>'/);
  });

  it('error-message scrubbing finds the value as written, its content and its unescaped form', () => {
    const text = "CREATE USER u IDENTIFIED BY 'it\\'s-a-secret'";
    const secrets = secretTexts(text, secretSpans(parseStatement(text)));
    expect(secrets).toEqual(["'it\\'s-a-secret'", "it\\'s-a-secret", "it's-a-secret"]);
    expect(scrubSecrets("failed for it's-a-secret and 'it\\'s-a-secret'", secrets)).toBe('failed for <secret> and <secret>');
    // Too short to scrub without mangling every message.
    expect(secretTexts("SET PASSWORD = PASSWORD('ab')", secretSpans(parseStatement("SET PASSWORD = PASSWORD('ab')")))).toEqual(["'ab'"]);
  });

  it('a long text is judged on its head only, masked by the unparseable rule', () => {
    const long = `CREATE USER u IDENTIFIED BY 'pw-${'x'.repeat(70_000)}'`;
    const shown = redactSql(long, 100);
    expect(shown).toBe('CREATE USER u IDENTIFIED BY <secret>');
    fc.assert(
      fc.property(anySecretCase(), fc.nat(40), (c, cut) => {
        expect(redactSql(`${c.sql}${' '.repeat(70_000)}`, Math.max(1, c.sql.length - cut))).not.toContain(c.marker);
      }),
      { numRuns: 30 },
    );
  });
});

/** The statement text without its secret spans (what must survive redaction unchanged). */
function stripSpans(text: string, statement: Statement): string {
  let out = '';
  let at = 0;
  for (const span of [...secretSpans(statement)].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, span.start);
    at = span.end;
  }
  return out + text.slice(at);
}
