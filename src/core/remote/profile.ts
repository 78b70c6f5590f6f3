// A connection profile for one Airflow deployment, as the `preflight.deployments` setting and the
// `preflight remote` command line describe it. Credentials are never part of a profile: the editor
// keeps them in its secret storage and the CLI reads them from the environment.

/** `v1` is Airflow 2's `/api/v1`; `v2` is Airflow 3's `/api/v2`; `auto` asks the server. */
export type ApiVersionChoice = 'v1' | 'v2' | 'auto';
export type ApiVersion = 'v1' | 'v2';

/**
 * `basic`: a user name and password. On `/api/v1` they go in every request (Airflow 2's basic_auth
 * backend); on `/api/v2` they are exchanged for a JWT at `POST /auth/token`. `token`: a bearer token
 * the user obtained elsewhere.
 */
export type AuthKind = 'basic' | 'token';

export interface DeploymentProfile {
  /** The name the user picks the deployment by. */
  readonly name: string;
  /** The server's root, without `/api/...`: `https://airflow.example.com`. */
  readonly baseUrl: string;
  readonly api: ApiVersionChoice;
  readonly auth: AuthKind;
  /** For `basic`: the user name, which is not a secret; the password is. */
  readonly username?: string;
  /** How long one request may take before it counts as a timeout. */
  readonly timeoutMs: number;
  /** How many times a request that failed on the connection, a 5xx or a 429 is tried again. */
  readonly retries: number;
}

export type Credentials =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'none' };

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 3;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The server root of a URL the user wrote: a trailing slash and a pasted `/api/v1` or `/api/v2` are
 * dropped, so the client can append its own paths. Undefined when it is not an http(s) URL.
 */
export function normalizeBaseUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // Credentials in the URL would end up in messages and logs; profiles carry them separately.
  if (url.username || url.password) return undefined;
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v[12]$/, '');
  return `${url.origin}${path}`;
}

/**
 * The profiles of a `preflight.deployments` value, and a sentence for each entry that is not one.
 * Names must be unique: the user picks a deployment by name.
 */
export function parseProfiles(value: unknown): { readonly profiles: DeploymentProfile[]; readonly problems: string[] } {
  const profiles: DeploymentProfile[] = [];
  const problems: string[] = [];
  if (value === undefined || value === null) return { profiles, problems };
  if (!Array.isArray(value)) return { profiles, problems: ['preflight.deployments must be a list of deployments'] };
  value.forEach((entry, index) => {
    const parsed = parseProfile(entry);
    if (typeof parsed === 'string') problems.push(`deployment ${index + 1}: ${parsed}`);
    else if (profiles.some((p) => p.name === parsed.name)) problems.push(`deployment ${index + 1}: the name '${parsed.name}' is used twice`);
    else profiles.push(parsed);
  });
  return { profiles, problems };
}

/** One profile, or why the entry is not one. */
export function parseProfile(entry: unknown): DeploymentProfile | string {
  if (!isObject(entry)) return 'must be an object with name and url';
  const { name, url, api, auth, username, timeoutSeconds, retries } = entry;
  if (typeof name !== 'string' || name.trim() === '') return 'needs a name';
  if (typeof url !== 'string') return `'${name}' needs a url`;
  const baseUrl = normalizeBaseUrl(url);
  if (!baseUrl) return `'${name}': url must be an http:// or https:// address without a user name or password in it`;
  if (api !== undefined && api !== 'v1' && api !== 'v2' && api !== 'auto') return `'${name}': api must be v1 (Airflow 2), v2 (Airflow 3) or auto`;
  if (auth !== undefined && auth !== 'basic' && auth !== 'token') return `'${name}': auth must be basic or token`;
  if (username !== undefined && typeof username !== 'string') return `'${name}': username must be a string`;
  if (timeoutSeconds !== undefined && (typeof timeoutSeconds !== 'number' || !(timeoutSeconds > 0))) return `'${name}': timeoutSeconds must be a positive number`;
  if (retries !== undefined && (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 10)) return `'${name}': retries must be a whole number from 0 to 10`;
  return {
    name: name.trim(),
    baseUrl,
    api: api ?? 'auto',
    auth: auth ?? 'basic',
    ...(typeof username === 'string' && username !== '' ? { username } : {}),
    timeoutMs: typeof timeoutSeconds === 'number' ? Math.round(timeoutSeconds * 1000) : DEFAULT_TIMEOUT_MS,
    retries: typeof retries === 'number' ? retries : DEFAULT_RETRIES,
  };
}

/** The secret values of a set of credentials, which every message and log line must hide. */
export function secretsOf(credentials: Credentials): string[] {
  switch (credentials.kind) {
    case 'basic':
      return [credentials.password, encodeBasic(credentials.username, credentials.password)].filter((s) => s !== '');
    case 'token':
      return credentials.token === '' ? [] : [credentials.token];
    case 'none':
      return [];
  }
}

/** `user:password` in base64, as an HTTP Basic Authorization header carries it; without Node's Buffer. */
export function encodeBasic(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** `text` with every secret (and every bearer token, which may be one the server issued) replaced by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 3) result = result.split(secret).join('***');
  return result.replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***').replace(/("(?:access_token|password|token)"\s*:\s*)"[^"]*"/g, '$1"***"');
}
