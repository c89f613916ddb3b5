/**
 * The options of `@mark`, `mark`, `cachedRun` and the decorator, in one table: the annotation parser, the runtime
 * validator, the did-you-mean of a misspelled option and the README's options table all read it. `kind` says how
 * an annotation writes the value and what `mark` accepts (see ANNOTATION_KINDS in the plugin and KIND_CHECKS in
 * mark-options.ts); `meaning` and `default` are the README's words. Data only: this module imports nothing.
 */
export const MARK_OPTION_TABLE = [
  { name: 'version', kind: 'label', meaning: 'bump to invalidate every entry of the function', default: 'none' },
  { name: 'name', kind: 'id', meaning: 'stable id of the function in the cache', default: 'its `name` (`Class.method` for methods)' },
  { name: 'ttl', kind: 'duration', meaning: 'how long entries live: `30s`, `10m`, `12h`, `7d`, `2w`, or ms', default: "the spot's `ttl`, else forever" },
  { name: 'blob', kind: 'flag', meaning: 'always store the value as a blob', default: 'values over 64 KiB go to blobs anyway' },
  { name: 'spot', kind: 'spotName', meaning: 'which spot, by name (top-level `mark`/`cachedRun`)', default: '`"default"`' },
  { name: 'key', kind: 'expression', meaning: '`(...args) => value`: key on this value instead of the arguments', default: 'all arguments' },
  { name: 'access', kind: 'access', meaning: '`rew` · `r` · `ew` · `e` · `re` (below)', default: '`rew`' },
  { name: 'cost', kind: 'cost', meaning: 'rate-limit cost of one execution (tokens for `tpm`); a number or `(...args) => number`', default: '`1`' },
  { name: 'limit', kind: 'limit', meaning: "the spot's named limit to use, or `false`", default: "the spot's `limit`" },
  { name: 'codeHash', kind: 'flag', meaning: "hash the function's source into the key", default: '`true`' },
  { name: 'tags', kind: 'list', meaning: 'labels stored with each entry', default: '`[]`' },
  { name: 'memory', kind: 'count', meaning: 'also keep the last N results of this process in memory: repeated hits skip the store ([Memory tier](#memory-tier))',
    default: "the spot's `memory`, else `0` (off)" },
] as const;

export type MarkOptionName = (typeof MARK_OPTION_TABLE)[number]['name'];
export type MarkOptionKind = (typeof MARK_OPTION_TABLE)[number]['kind'];

/** The option names, in table order (the annotation knows these words). */
export const MARK_OPTIONS: readonly MarkOptionName[] = MARK_OPTION_TABLE.map(o => o.name);
