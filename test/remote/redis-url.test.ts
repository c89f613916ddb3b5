import { describe, expect, it } from 'vitest';
import { parseRedisUrl, redactRedisUrl } from '../../runtime/redis/redis-url.js';
import { resolveRedisOptions } from '../../runtime/redis/redis-core.js';

describe('Redis URLs', () => {
  it('parses one server, its database and our prefix parameter (stripped)', () => {
    expect(parseRedisUrl('redis://u:p@127.0.0.1:6380/2?prefix=app%3A')).toEqual({
      mode: 'single', nodes: ['redis://u:p@127.0.0.1:6380/2'], prefix: 'app:', redacted: 'redis://***@127.0.0.1:6380/2?prefix=app%3A',
    });
    expect(parseRedisUrl('rediss://cache.example:6379').nodes).toEqual(['rediss://cache.example:6379']);
  });

  it('parses cluster root nodes, credentials applying to each', () => {
    const target = parseRedisUrl('rediss+cluster://:secret@10.0.0.1:7000,10.0.0.2:7001?prefix=x:');
    expect(target.mode).toBe('cluster');
    expect(target.nodes).toEqual(['rediss://:secret@10.0.0.1:7000', 'rediss://:secret@10.0.0.2:7001']);
    expect(target.prefix).toBe('x:');
    expect(target.redacted).not.toContain('secret');
  });

  it('refuses other schemes and several hosts for one server, never quoting the password', () => {
    expect(() => parseRedisUrl('http://user:hunter2@host:1')).toThrow(/is not a Redis URL/);
    expect(() => parseRedisUrl('http://user:hunter2@host:1')).not.toThrow(/hunter2/);
    expect(() => parseRedisUrl('redis://:hunter2@a:1,b:2')).toThrow(/several hosts.*redis\+cluster/);
    expect(() => parseRedisUrl('redis://:hunter2@a:1,b:2')).not.toThrow(/hunter2/);
    expect(redactRedisUrl('redis://user:pw@h:1/0')).toBe('redis://***@h:1/0');
  });

  it('takes a database number as the path, and refuses any other path and a database other than 0 on a cluster', () => {
    expect(parseRedisUrl('redis://:pw@h:1/15').nodes).toEqual(['redis://:pw@h:1/15']);
    expect(parseRedisUrl('redis+cluster://h:1,h:2/0').nodes).toEqual(['redis://h:1/0', 'redis://h:2/0']);
    expect(() => parseRedisUrl('redis://:hunter2@h:1/cache')).toThrow(/has the path "\/cache": a Redis URL's path is a database number/);
    expect(() => parseRedisUrl('redis://:hunter2@h:1/cache')).not.toThrow(/hunter2/);
    expect(() => parseRedisUrl('rediss+cluster://:hunter2@h:1,h:2/3')).toThrow(/selects database 3: Redis Cluster has only database 0/);
  });

  it('takes the prefix option over the URL parameter and checks the timeouts', () => {
    expect(resolveRedisOptions({ url: 'redis://h:1?prefix=a:', prefix: 'b:' }).prefix).toBe('b:');
    expect(resolveRedisOptions({ url: 'redis://h:1?prefix=a:' }).prefix).toBe('a:');
    expect(resolveRedisOptions({ url: 'redis://h:1' }).prefix).toBe('beautyspot:');
    expect(() => resolveRedisOptions({ url: 'redis://h:1', commandTimeoutMs: 0 })).toThrow(/commandTimeoutMs must be a number of milliseconds > 0/);
  });
});
