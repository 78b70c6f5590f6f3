// Sending a recorded Slack alert for real, only when the user asks for it (`preflight.alerts.send`,
// `preflight run --send-alerts`): the webhook URL is built from the Airflow connection as the Slack
// provider's SlackWebhookHook builds it, and the message is posted as its `send(text=...)` posts it.
import type { Alert } from '../core/sim/types';
import type { Connection } from '../core/templates/connections';

/**
 * `SlackWebhookHook._build_conn_params`: the password is the webhook token, or the whole URL when it
 * contains `://`; otherwise it is appended to the host (`https://hooks.slack.com/services` by default).
 */
export function slackWebhookUrl(connection: Connection): string | { error: string } {
  const token = connection.password?.trim();
  if (!token) return { error: `Connection ID '${connection.conn_id}' does not contain password (Slack Webhook Token).` };
  if (token.includes('://')) return token;
  const base = connection.host && connection.host.includes('://') ? connection.host : `${connection.schema || 'https'}://${connection.host || 'hooks.slack.com/services'}`;
  return `${base.replace(/\/+$/, '')}/${token.replace(/^\/+/, '')}`.replace(/\/+$/, '');
}

export type SendOutcome = { readonly sent: true } | { readonly sent: false; readonly reason: string };

/** Posts one alert; never throws: a missing connection or a refused request is the reason it was not sent. */
export async function sendSlackAlert(alert: Alert, connections: Readonly<Record<string, Connection>>, post: typeof fetch = fetch): Promise<SendOutcome> {
  const connId = alert.conn_id ?? 'slack_default';
  const connection = connections[connId];
  if (!connection) return { sent: false, reason: `the connection ${connId} is not defined (AIRFLOW_CONN_${connId.toUpperCase()} or .preflight/connections.json)` };
  const url = slackWebhookUrl(connection);
  if (typeof url !== 'string') return { sent: false, reason: url.error };
  try {
    const response = await post(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: alert.text }), signal: AbortSignal.timeout(15_000) });
    return response.ok ? { sent: true } : { sent: false, reason: `Slack answered ${response.status} ${await response.text()}` };
  } catch (error) {
    return { sent: false, reason: `the request failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
