import type { Metafile } from 'esbuild';

export interface GuardProblem {
  file: string;
  line: number;
  column: number;
  specifier: string;
  /** The CommonJS module, as a path inside node_modules. */
  module: string;
  chunk: string;
  /** The export name read, or, in parentheses, a use of the namespace that cannot be followed. */
  read: string;
}

export declare function checkCommonJsChunks(metafile: Metafile, root: string): GuardProblem[];
export declare function describeProblem(problem: GuardProblem): string;
