// Airflow Connections as templates read them (`{{ conn.my_db.host }}`), from the forms users keep
// them in locally: AIRFLOW_CONN_<ID> URIs or JSON, and a connections.json of the workspace.

export interface Connection {
  readonly conn_id: string;
  readonly conn_type: string | null;
  readonly description?: string | null;
  readonly host: string | null;
  readonly login: string | null;
  readonly password: string | null;
  readonly schema: string | null;
  readonly port: number | null;
  readonly extra_dejson: Record<string, unknown>;
}

/** A connection from Airflow's URI form (`postgres://user:pass@host:5432/db?sslmode=require`) or JSON form. */
export function parseConnection(connId: string, text: string): Connection | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const json = JSON.parse(trimmed) as Record<string, unknown>;
      const extra = typeof json.extra === 'string' ? JSON.parse(json.extra) : json.extra;
      return {
        conn_id: connId,
        conn_type: (json.conn_type as string) ?? null,
        description: (json.description as string) ?? null,
        host: (json.host as string) ?? null,
        login: (json.login as string) ?? null,
        password: (json.password as string) ?? null,
        schema: (json.schema as string) ?? null,
        port: typeof json.port === 'number' ? json.port : null,
        extra_dejson: (extra as Record<string, unknown>) ?? {},
      };
    } catch {
      return undefined;
    }
  }
  const match = /^([\w+.-]+):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?#]*)(?::(\d+))?(?:\/([^?#]*))?(?:\?(.*))?$/.exec(trimmed);
  if (!match) return undefined;
  const [, type, login, password, host, port, schema, query] = match;
  const decode = (v: string | undefined) => (v ? decodeURIComponent(v) : null);
  const extra: Record<string, unknown> = {};
  for (const pair of (query ?? '').split('&').filter(Boolean)) {
    const [key, value = ''] = pair.split('=');
    extra[decodeURIComponent(key)] = decodeURIComponent(value);
  }
  return {
    conn_id: connId,
    conn_type: type.replace(/-/g, '_'),
    host: decode(host),
    login: decode(login),
    password: decode(password),
    schema: decode(schema),
    port: port ? Number(port) : null,
    extra_dejson: extra,
  };
}
