import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { describeTarget, type TemporalTarget } from './connection.ts';

export interface HistoryReach {
  /** Where we asked (never credentials). */
  target: string;
  namespace: string;
  /** How long the namespace keeps a closed workflow's history; null when Temporal did not say. */
  retentionMs: number | null;
  workflows: { workflowId: string; status: string; closedAt: string | null; keptUntil: string | null }[];
  /** Set when Temporal could not be asked: nothing else is known then. */
  error?: string;
}

const seconds = (d: { seconds?: unknown; nanos?: number | null } | null | undefined): number | null =>
  d?.seconds === undefined || d.seconds === null ? null : Number(d.seconds) * 1000 + Math.round((d.nanos ?? 0) / 1e6);

/**
 * What Temporal still holds of some workflows: their status, and (with the namespace's retention) until when a
 * closed one's history is kept. Informational, bounded by `timeoutMs`: a cluster that does not answer is reported,
 * not waited for.
 */
export async function historyReach(target: TemporalTarget, workflowIds: readonly string[], timeoutMs = 5_000): Promise<HistoryReach> {
  const base = { target: describeTarget(target), namespace: target.namespace, retentionMs: null, workflows: [] };
  const { address, tls, apiKey, metadata } = target.connectionOptions;
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, tls, apiKey: typeof apiKey === 'string' ? apiKey : undefined, metadata, connectTimeout: timeoutMs });
  } catch (e) {
    return { ...base, error: (e as Error).message };
  }
  try {
    const client = new Client({ connection, namespace: target.namespace, dataConverter: target.dataConverter });
    return await client.withDeadline(Date.now() + timeoutMs, async () => {
      const ns = await connection.workflowService.describeNamespace({ namespace: target.namespace });
      const retentionMs = seconds(ns.config?.workflowExecutionRetentionTtl);
      const workflows: HistoryReach['workflows'] = [];
      for (const workflowId of workflowIds) {
        try {
          const d = await client.workflow.getHandle(workflowId).describe();
          const closedAt = d.closeTime?.toISOString() ?? null;
          const keptUntil = closedAt && retentionMs !== null ? new Date(Date.parse(closedAt) + retentionMs).toISOString() : null;
          workflows.push({ workflowId, status: d.status.name, closedAt, keptUntil });
        } catch (e) {
          if (!(e instanceof WorkflowNotFoundError)) throw e;
          workflows.push({ workflowId, status: 'NOT_FOUND', closedAt: null, keptUntil: null });
        }
      }
      return { ...base, retentionMs, workflows };
    });
  } catch (e) {
    return { ...base, error: (e as Error).message };
  } finally {
    await connection.close();
  }
}
