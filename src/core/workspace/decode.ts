// Bytes to workspace text: the size limit and the UTF-8 check every workspace
// file passes, wherever its bytes came from (the disk, or git at a ref). Pure.
import type { RawFile } from './workspace.js';

export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export function tooLarge(path: string, size: number): RawFile {
  return { path, problem: { severity: 'error', file: path, message: `file is ${(size / 1048576).toFixed(1)} MB; the limit is 5 MB` } };
}

export function decodeWorkspaceFile(path: string, bytes: Uint8Array): RawFile {
  if (bytes.length > MAX_FILE_BYTES) return tooLarge(path, bytes.length);
  try {
    return { path, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { path, problem: { severity: 'error', file: path, ...firstBadByte(bytes), message: 'not UTF-8 text', hint: 'save the file as UTF-8' } };
  }
}

function firstBadByte(bytes: Uint8Array): { line: number; col: number } {
  // The lenient decoding marks the first invalid sequence with U+FFFD.
  const text = new TextDecoder('utf-8').decode(bytes);
  const lines = text.slice(0, Math.max(0, text.indexOf('\uFFFD'))).split('\n');
  return { line: lines.length, col: lines[lines.length - 1].length + 1 };
}
