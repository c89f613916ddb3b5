/** One problem with an annotation, reported with where it is and how to fix it. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  /** The marked function, when known. */
  fn?: string;
  /** The parameter path, e.g. `opts.callback`, when the problem is a type. */
  path?: string;
  message: string;
  fix?: string;
  severity: 'error' | 'warning';
}

export function formatDiagnostic(d: Diagnostic): string {
  return `[beautyspot] ${d.file}:${d.line}:${d.col} ${d.message}${d.fix ? `. ${d.fix}` : ''}`;
}

/** Every error in one file, reported at once. */
export class BeautyspotBuildError extends Error {
  override name = 'BeautyspotBuildError';
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
  }
}
