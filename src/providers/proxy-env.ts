// The proxy a request must go through, as the environment names it: read without
// loading undici, so a run without a proxy never loads it for its calls.

/** The proxy variables as curl reads them (lower case wins); undefined when none is set. */
export function proxySettings(env: Record<string, string | undefined>): { httpProxy?: string; httpsProxy?: string; noProxy?: string } | undefined {
  const pick = (name: string) => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  const httpProxy = pick('http_proxy');
  const httpsProxy = pick('https_proxy');
  if (!httpProxy && !httpsProxy) return undefined;
  return { httpProxy, httpsProxy: httpsProxy ?? httpProxy, noProxy: pick('no_proxy') ?? '' };
}
