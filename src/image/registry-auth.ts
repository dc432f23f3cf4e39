/**
 * The registry's authentication dance (distribution spec, docker token spec): a
 * request answered 401 carries `WWW-Authenticate`; `Bearer realm=...,service=...,
 * scope=...` means "get a token from realm" (with Basic credentials when we have
 * them), `Basic` means "send the credentials with every request".
 */
export interface AuthChallenge {
  readonly scheme: 'bearer' | 'basic';
  readonly params: Readonly<Record<string, string>>;
}

/** Parses one challenge (`Bearer realm="https://a/token",service="reg"`); undefined for schemes isola does not speak. */
export function parseAuthChallenge(header: string | null): AuthChallenge | undefined {
  if (header === null) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  const scheme = match?.[1]?.toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'basic') return undefined;
  const params: Record<string, string> = {};
  for (const param of (match?.[2] ?? '').matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    params[param[1]!.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3] ?? '';
  }
  return { scheme, params };
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
