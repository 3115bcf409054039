/** ALTER REPOSITORY r SET PROPERTIES (…): the repository's lifecycle settings (src/repository/repository-settings.ts). */
import type { AlterRepositoryStmt } from '../../../grammar/ast.ts';
import { analysisError, ddlError } from '../../errors/index.ts';
import { DEFAULT_SNAPSHOT_TTL, settingsError } from '../../repository/repository-settings.ts';
import type { ExecutionContext } from '../context.ts';
import { okResult, type StatementResult } from '../result.ts';

export async function executeAlterRepository(ctx: ExecutionContext, node: AlterRepositoryStmt): Promise<StatementResult> {
  const { repositories } = ctx.services;
  const info = repositories.info(node.name);
  if (info === undefined) throw analysisError(`Repository [${node.name}] does not exist`);
  const properties = Object.fromEntries(node.properties.map((p) => [p.key, p.value.trim()]));
  const problem = settingsError(properties);
  if (problem !== null) throw analysisError(problem);
  if (info.readOnly && (properties[DEFAULT_SNAPSHOT_TTL] ?? '') !== '') {
    throw ddlError(`Repository ${node.name} is read only: its snapshots are never dropped here, so ${DEFAULT_SNAPSHOT_TTL} cannot be set`);
  }
  // Under the submit lock: the expiry task reads the settings under it too.
  await ctx.services.jobs.withSubmitLock(async () => repositories.alterSettings(node.name, properties));
  return okResult(0);
}
