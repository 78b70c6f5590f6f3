// Slack alerts are only recorded unless the user turns sending on; then they are posted to the
// webhook the Airflow connection names, built as the Slack provider builds it. The webhook here is a
// server on the loopback address.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { Alert } from '../../src/core/sim/types';
import { parseConnection } from '../../src/core/templates/connections';
import { sendSlackAlert, slackWebhookUrl } from '../../src/node/slackSender';

const alert: Alert = { kind: 'slack', dag_id: 'd', task_id: 't', run_id: 'r', source: 'on_failure_callback', text: ':red_circle: Task failed.', conn_id: 'slack_default', sent: false };

/** A webhook on 127.0.0.1 that records what it is sent and answers `status`. */
async function webhook(status = 200): Promise<{ url: string; bodies: unknown[]; close: () => void }> {
  const bodies: unknown[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      bodies.push({ path: request.url, json: JSON.parse(body) });
      response.writeHead(status).end(status === 200 ? 'ok' : 'invalid_token');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, close: () => server.close() };
}

describe('Slack webhook URL from the connection', () => {
  const url = (text: string) => slackWebhookUrl(parseConnection('slack_default', text)!);
  it('is the password when it is a whole URL, else the host (default hooks.slack.com/services) and the token', () => {
    assert.equal(url('{"conn_type": "slackwebhook", "password": "https://hooks.slack.com/services/T0/B0/X"}'), 'https://hooks.slack.com/services/T0/B0/X');
    assert.equal(url('{"conn_type": "slackwebhook", "password": "/T0/B0/X"}'), 'https://hooks.slack.com/services/T0/B0/X');
    assert.equal(url('{"conn_type": "slackwebhook", "host": "http://proxy.local/hooks/", "password": "T0/B0/X"}'), 'http://proxy.local/hooks/T0/B0/X');
    assert.deepEqual(url('{"conn_type": "slackwebhook", "host": "x"}'), { error: "Connection ID 'slack_default' does not contain password (Slack Webhook Token)." });
  });
});

describe('sending an alert', () => {
  it('posts the text to the webhook', async () => {
    const hook = await webhook();
    try {
      const outcome = await sendSlackAlert(alert, { slack_default: parseConnection('slack_default', JSON.stringify({ password: `${hook.url}/T0/B0/X` }))! });
      assert.deepEqual(outcome, { sent: true });
      assert.deepEqual(hook.bodies, [{ path: '/T0/B0/X', json: { text: ':red_circle: Task failed.' } }]);
    } finally {
      hook.close();
    }
  });

  it('says why when the connection is missing or Slack refuses', async () => {
    const missing = await sendSlackAlert(alert, {});
    assert.equal(missing.sent, false);
    assert.match((missing as { reason: string }).reason, /slack_default is not defined/);
    const hook = await webhook(403);
    try {
      const outcome = await sendSlackAlert(alert, { slack_default: parseConnection('slack_default', JSON.stringify({ password: `${hook.url}/x` }))! });
      assert.deepEqual(outcome, { sent: false, reason: 'Slack answered 403 invalid_token' });
    } finally {
      hook.close();
    }
  });

  it('preflight run --send-alerts posts the failure callback\'s message; without the flag nothing is sent', async () => {
    const hook = await webhook();
    try {
      const run = (...flags: string[]) => new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', 'examples/dags/af2_slack_alert_on_failure.py', '--now', '2024-06-01T12:00:00Z', '--json', ...flags], {
          env: { ...process.env, AIRFLOW_CONN_SLACK_DEFAULT: JSON.stringify({ conn_type: 'slackwebhook', password: `${hook.url}/T0/B0/X` }) },
        });
        let stdout = '';
        child.stdout.on('data', (chunk) => (stdout += chunk));
        child.on('close', (status) => resolve({ status, stdout }));
      });
      const quiet = await run();
      assert.equal(quiet.status, 1);
      assert.equal(JSON.parse(quiet.stdout).alerts[0].sent, false);
      assert.equal(hook.bodies.length, 0);
      const sent = await run('--send-alerts');
      assert.equal(JSON.parse(sent.stdout).alerts[0].sent, true);
      assert.equal(hook.bodies.length, 1);
      assert.match((hook.bodies[0] as { json: { text: string } }).json.text, /\*Task\*: check_input/);
    } finally {
      hook.close();
    }
  });
});
