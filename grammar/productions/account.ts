/**
 * Users, roles and privileges (StarRocks 3.x RBAC): CREATE / DROP / ALTER USER, SET PASSWORD (body only; SET is
 * dispatched in session.ts), CREATE / DROP ROLE, GRANT / REVOKE of privileges or roles, SHOW GRANTS / USERS / ROLES.
 *
 * Deviation: a privilege is any run of words (`CREATE TABLE`, `ALL PRIVILEGES`, `NODE`), so GRANT privileges and
 * GRANT roles share one list rule; `ON` after the list makes it a privilege grant, otherwise the items are roles
 * (each must then be a single name — checked by the visitor). The analyzer validates privilege names.
 */
import { tokenMatcher } from '../chevrotain.ts';
import type { Dsl, Rule, Rules } from '../parser.ts';
import * as t from '../tokens.ts';

const { kw } = t;

export interface AccountRules {
  userIdentity: Rule;
  authOption: Rule;
  createUserBody: Rule;
  dropUserBody: Rule;
  alterUserBody: Rule;
  setPasswordBody: Rule;
  createRoleBody: Rule;
  dropRoleBody: Rule;
  grantItem: Rule;
  privilegeObject: Rule;
  grantee: Rule;
  grantStatement: Rule;
  revokeStatement: Rule;
  showGrantsBody: Rule;
  showUsersBody: Rule;
  showRolesBody: Rule;
}

export function defineAccountRules($: Dsl, r: Rules): void {
  // 'u'@'h', "u"@"h", `u`@`h`, u@h (lexed as identifier + @variable), u.
  r.userIdentity = $.addRule('userIdentity', () => {
    $.SUBRULE(r.identOrString, { LABEL: 'user' });
    $.OPTION(() =>
      $.OR([
        { ALT: () => $.CONSUME(t.UserVariable, { LABEL: 'hostVariable' }) },
        {
          ALT: () => {
            $.CONSUME(t.At);
            $.SUBRULE2(r.identOrString, { LABEL: 'host' });
          },
        },
      ]),
    );
  });

  // IDENTIFIED BY 'p' | IDENTIFIED BY PASSWORD '*H' | IDENTIFIED WITH plugin [BY 'p' | AS '*H']
  r.authOption = $.addRule('authOption', () => {
    $.CONSUME(kw.IDENTIFIED);
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.BY);
          $.OPTION(() => $.CONSUME(kw.PASSWORD, { LABEL: 'hashed' }));
          $.SUBRULE(r.stringLiteral, { LABEL: 'secret' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.WITH);
          $.SUBRULE(r.identOrString, { LABEL: 'plugin' });
          $.OPTION2(() =>
            $.OR2([
              {
                ALT: () => {
                  $.CONSUME2(kw.BY);
                  $.SUBRULE2(r.stringLiteral, { LABEL: 'secret' });
                },
              },
              {
                ALT: () => {
                  $.CONSUME(kw.AS, { LABEL: 'hashed' });
                  $.SUBRULE3(r.stringLiteral, { LABEL: 'secret' });
                },
              },
            ]),
          );
        },
      },
    ]);
  });

  r.createUserBody = $.addRule('createUserBody', () => {
    $.CONSUME(kw.USER);
    $.OPTION(() => $.SUBRULE(r.ifNotExists));
    $.SUBRULE(r.userIdentity);
    $.OPTION2(() => $.SUBRULE(r.authOption));
    $.OPTION3(() => {
      $.CONSUME(kw.DEFAULT);
      $.CONSUME(kw.ROLE);
      $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.identOrString, { LABEL: 'role' }) });
    });
  });

  r.dropUserBody = $.addRule('dropUserBody', () => {
    $.CONSUME(kw.USER);
    $.OPTION(() => $.SUBRULE(r.ifExists));
    $.SUBRULE(r.userIdentity);
  });

  r.alterUserBody = $.addRule('alterUserBody', () => {
    $.CONSUME(kw.USER);
    $.OPTION(() => $.SUBRULE(r.ifExists));
    $.SUBRULE(r.userIdentity);
    $.OPTION2(() => $.SUBRULE(r.authOption));
  });

  // PASSWORD [FOR u] = PASSWORD('p') | '*HASH'
  r.setPasswordBody = $.addRule('setPasswordBody', () => {
    $.CONSUME(kw.PASSWORD);
    $.OPTION(() => {
      $.CONSUME(kw.FOR);
      $.SUBRULE(r.userIdentity);
    });
    $.CONSUME(t.Equals);
    $.OR([
      {
        ALT: () => {
          $.CONSUME2(kw.PASSWORD, { LABEL: 'plainFunction' });
          $.CONSUME(t.LParen);
          $.SUBRULE(r.stringLiteral, { LABEL: 'secret' });
          $.CONSUME(t.RParen);
        },
      },
      { ALT: () => $.SUBRULE2(r.stringLiteral, { LABEL: 'secret' }) },
    ]);
  });

  r.createRoleBody = $.addRule('createRoleBody', () => {
    $.CONSUME(kw.ROLE);
    $.OPTION(() => $.SUBRULE(r.ifNotExists));
    $.SUBRULE(r.identOrString, { LABEL: 'name' });
  });

  r.dropRoleBody = $.addRule('dropRoleBody', () => {
    $.CONSUME(kw.ROLE);
    $.OPTION(() => $.SUBRULE(r.ifExists));
    $.SUBRULE(r.identOrString, { LABEL: 'name' });
  });

  const endsItem = (): boolean => {
    const next = $.LA(1);
    return tokenMatcher(next, kw.ON) || tokenMatcher(next, kw.TO) || tokenMatcher(next, kw.FROM);
  };
  // One privilege (`CREATE TABLE`) or one role name: words up to `,`, ON, TO or FROM.
  r.grantItem = $.addRule('grantItem', () => {
    $.AT_LEAST_ONE({
      GATE: () => !endsItem(),
      DEF: () =>
        $.OR([
          { ALT: () => $.CONSUME(t.Keyword, { LABEL: 'word' }) },
          { ALT: () => $.CONSUME(t.Identifier, { LABEL: 'word' }) },
          { ALT: () => $.CONSUME(t.QuotedIdentifier, { LABEL: 'word' }) },
          { ALT: () => $.CONSUME(t.SingleQuotedString, { LABEL: 'word' }) },
          { ALT: () => $.CONSUME(t.DoubleQuotedString, { LABEL: 'word' }) },
        ]),
      ERR_MSG: 'privilege or role name',
    });
  });

  r.privilegeObject = $.addRule('privilegeObject', () => {
    $.OR([
      { ALT: () => $.CONSUME(kw.SYSTEM, { LABEL: 'system' }) },
      {
        ALT: () => {
          $.CONSUME(kw.ALL);
          $.OR2([
            { ALT: () => $.CONSUME(kw.CATALOGS, { LABEL: 'allCatalogs' }) },
            { ALT: () => $.CONSUME2(kw.DATABASES, { LABEL: 'allDatabasesObject' }) },
            {
              ALT: () => {
                $.OR4([
                  { ALT: () => $.CONSUME(kw.TABLES, { LABEL: 'allTables' }) },
                  { ALT: () => $.CONSUME(kw.VIEWS, { LABEL: 'allViews' }) },
                ]);
                $.CONSUME(kw.IN);
                $.OR3([
                  {
                    ALT: () => {
                      $.CONSUME3(kw.DATABASE);
                      $.SUBRULE3(r.identifier, { LABEL: 'database' });
                    },
                  },
                  {
                    ALT: () => {
                      $.CONSUME2(kw.ALL);
                      $.CONSUME(kw.DATABASES, { LABEL: 'inAllDatabases' });
                    },
                  },
                ]);
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.CATALOG);
          $.SUBRULE(r.identifier, { LABEL: 'catalog' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.DATABASE);
          $.SUBRULE2(r.identifier, { LABEL: 'database' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.TABLE);
          $.SUBRULE(r.qualifiedName, { LABEL: 'table' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.VIEW);
          $.SUBRULE2(r.qualifiedName, { LABEL: 'view' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(t.Star, { LABEL: 'starDb' });
          $.CONSUME(t.Dot);
          $.CONSUME2(t.Star, { LABEL: 'starTable' });
        },
      },
      {
        GATE: () => tokenMatcher($.LA(2), t.Dot) && tokenMatcher($.LA(3), t.Star),
        ALT: () => {
          $.SUBRULE4(r.identifier, { LABEL: 'database' });
          $.CONSUME2(t.Dot);
          $.CONSUME3(t.Star, { LABEL: 'starTable' });
        },
      },
      { ALT: () => $.SUBRULE3(r.qualifiedName, { LABEL: 'table' }) },
    ]);
  });

  r.grantee = $.addRule('grantee', () => {
    $.OR([
      {
        ALT: () => {
          $.CONSUME(kw.ROLE);
          $.SUBRULE(r.identOrString, { LABEL: 'role' });
        },
      },
      {
        ALT: () => {
          $.CONSUME(kw.USER);
          $.SUBRULE(r.userIdentity);
        },
      },
      { ALT: () => $.SUBRULE2(r.userIdentity) },
    ]);
  });

  const itemList = (): void => {
    $.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => $.SUBRULE(r.grantItem, { LABEL: 'item' }) });
  };

  r.grantStatement = $.addRule('grantStatement', () => {
    $.CONSUME(kw.GRANT);
    itemList();
    $.OPTION(() => {
      $.CONSUME(kw.ON);
      $.SUBRULE(r.privilegeObject);
    });
    $.CONSUME(kw.TO);
    $.SUBRULE(r.grantee);
    $.OPTION2(() => {
      $.CONSUME(kw.WITH);
      $.CONSUME2(kw.GRANT);
      $.CONSUME(kw.OPTION, { LABEL: 'withGrantOption' });
    });
  });

  r.revokeStatement = $.addRule('revokeStatement', () => {
    $.CONSUME(kw.REVOKE);
    itemList();
    $.OPTION(() => {
      $.CONSUME(kw.ON);
      $.SUBRULE(r.privilegeObject);
    });
    $.CONSUME(kw.FROM);
    $.SUBRULE(r.grantee);
  });

  r.showGrantsBody = $.addRule('showGrantsBody', () => {
    $.CONSUME(kw.GRANTS);
    $.OPTION(() => {
      $.CONSUME(kw.FOR);
      $.SUBRULE(r.grantee);
    });
  });

  r.showUsersBody = $.addRule('showUsersBody', () => {
    $.CONSUME(kw.USERS);
  });

  r.showRolesBody = $.addRule('showRolesBody', () => {
    $.CONSUME(kw.ROLES);
  });
}
