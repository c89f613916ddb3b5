/** Where a RedisStore connects, parsed from its URL; `redacted` is the only form that may appear in a message. */
export interface RedisTarget {
  /** One server (`redis://`, `rediss://`) or a cluster's root nodes (`redis+cluster://`, `rediss+cluster://`). */
  mode: 'single' | 'cluster';
  /** URLs node-redis takes, one per node (our own query parameters removed). */
  nodes: string[];
  /** The URL's `?prefix=` when given. */
  prefix: string | undefined;
  /** The URL with its password (and user) replaced by `***`. */
  redacted: string;
}

const SCHEMES: Record<string, { mode: RedisTarget['mode']; node: string }> = {
  'redis:': { mode: 'single', node: 'redis:' },
  'rediss:': { mode: 'single', node: 'rediss:' },
  'redis+cluster:': { mode: 'cluster', node: 'redis:' },
  'rediss+cluster:': { mode: 'cluster', node: 'rediss:' },
};

/**
 * `redis://[user:pass@]host:port[/db][?prefix=…]`, `rediss://…` (TLS), `redis+cluster://host:port[,host:port…]`
 * and `rediss+cluster://…`. Credentials of a cluster URL apply to every node.
 */
export function parseRedisUrl(url: string): RedisTarget {
  if (typeof url !== 'string') throw new TypeError(`[beautyspot] a Redis URL must be a string, got ${typeof url}. Pass e.g. "redis://127.0.0.1:6379".`);
  const scheme = /^[a-z+]+:/i.exec(url)?.[0].toLowerCase() ?? '';
  const kind = SCHEMES[scheme];
  const redacted = redactRedisUrl(url);
  if (!kind) {
    throw new TypeError(`[beautyspot] "${redacted}" is not a Redis URL: use redis://host:port, rediss://host:port (TLS), ` +
      'redis+cluster://host:port,host:port or rediss+cluster://….');
  }
  const rest = url.slice(scheme.length).replace(/^\/\//, '');
  const [authority = '', path = ''] = splitOnce(rest, /[/?#]/, true);
  const [credentials, hosts] = authority.includes('@') ? splitOnce(authority, /@(?=[^@]*$)/, false) : ['', authority];
  const hostList = hosts.split(',').filter(Boolean);
  if (hostList.length === 0 || (kind.mode === 'single' && hostList.length > 1)) {
    throw new TypeError(`[beautyspot] "${redacted}" names ${hostList.length === 0 ? 'no host' : 'several hosts'}: ` +
      (kind.mode === 'single' ? 'a redis:// URL names one server; for a cluster use redis+cluster://host:port,host:port.' : 'name at least one node, e.g. redis+cluster://127.0.0.1:7000.'));
  }
  let parsed: URL;
  try {
    parsed = new URL(`${kind.node}//${credentials ? `${credentials}@` : ''}${hostList[0]}${path}`);
  } catch {
    throw new TypeError(`[beautyspot] "${redacted}" is not a valid URL. Check the host, port and any characters in the password (percent-encode them).`);
  }
  const db = parsed.pathname.slice(1);
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new TypeError(`[beautyspot] "${redacted}" has the path "/${db}": a Redis URL's path is a database number, e.g. redis://127.0.0.1:6379/3.`);
  }
  if (kind.mode === 'cluster' && db !== '' && Number(db) !== 0) {
    throw new TypeError(`[beautyspot] "${redacted}" selects database ${db}: Redis Cluster has only database 0. Drop the /${db}, or use ?prefix= to keep apart what shares the cluster.`);
  }
  const prefix = parsed.searchParams.get('prefix') ?? undefined;
  parsed.searchParams.delete('prefix');
  const tail = `${parsed.pathname === '/' ? '' : parsed.pathname}${parsed.search}`;
  const nodes = hostList.map(host => `${kind.node}//${credentials ? `${credentials}@` : ''}${host}${tail}`);
  return { mode: kind.mode, nodes, prefix, redacted };
}

/** The URL with anything before an `@` in its authority replaced by `***`, for messages and logs. */
export function redactRedisUrl(url: string): string {
  return String(url).replace(/^([a-z+]+:\/\/)[^/?#]*@/i, '$1***@');
}

function splitOnce(text: string, at: RegExp, keepSeparator: boolean): [string, string] {
  const match = at.exec(text);
  if (!match) return [text, ''];
  return [text.slice(0, match.index), text.slice(match.index + (keepSeparator ? 0 : match[0].length))];
}
