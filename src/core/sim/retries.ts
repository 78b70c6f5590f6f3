// When a failed try is tried again (shared/airflow-semantics.md §4.3; `TaskInstance.next_retry_datetime`
// in 2.10 and 3.x): after `retry_delay`, or with exponential backoff after a deterministic delay in
// [base, 2·base) where base = retry_delay · 2^(try_number − 1), capped at 24 hours and by
// `max_retry_delay`.
import type { SimTask } from './types';

/** `[core] max_task_retry_delay`: 24 hours. */
const MAX_RETRY_DELAY_MS = 86_400_000;

/**
 * The delay before the next try, in milliseconds. `logicalDate` is Python's `str()` of the logical
 * date (`2024-01-01 00:00:00+00:00`), which Airflow hashes with the ids and the try number.
 */
export async function retryDelayMs(task: SimTask, dagId: string, logicalDate: string, tryNumber: number): Promise<number> {
  if (!task.retryExponentialBackoff) return task.retryDelayMs;
  const base = Math.max(1, Math.ceil((task.retryDelayMs / 1000) * 2 ** (tryNumber - 1)));
  const digest = await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(`${dagId}#${task.taskId}#${logicalDate}#${tryNumber}`));
  const hash = BigInt(`0x${[...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')}`);
  const seconds = base + Number(hash % BigInt(base));
  const delay = Math.min(seconds * 1000, MAX_RETRY_DELAY_MS);
  return task.maxRetryDelayMs !== undefined ? Math.min(delay, task.maxRetryDelayMs) : delay;
}
