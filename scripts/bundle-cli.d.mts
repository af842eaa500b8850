import type { BuildOptions, BuildResult, Metafile } from 'esbuild';
import type { GuardProblem } from './bundle-guard.mjs';

export interface BundleTarget {
  /** esbuild's working directory; every other path is relative to it. */
  root: string;
  entryPoints: string[];
  outdir: string;
  external?: string[];
}

export declare class BundleGuardError extends Error {
  problems: GuardProblem[];
}

export declare const CLI: BundleTarget;
export declare function esbuildOptions(target: BundleTarget): BuildOptions & { metafile: true };
export declare function bundle(target: BundleTarget): Promise<BuildResult & { metafile: Metafile }>;
