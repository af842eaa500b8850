// The sections of a governance page, in order. The first five are the mission's
// questions; the duty table links to them by these headings.
import { anchor } from './markdown.js';

export const SECTIONS = {
  glance: 'At a glance',
  does: '1. What it does',
  data: '2. What data it processes',
  decides: '3. What it decides autonomously, and what with human review',
  tested: '4. How it is tested and monitored',
  override: '5. The override and exception process',
  limitations: 'Known limitations',
  duties: 'Duties this page helps answer',
} as const;

export type Section = keyof typeof SECTIONS;

/** A link to a section of the same page. */
export function see(section: Section, text: string = SECTIONS[section].replace(/^(\d)\. .*/, '§$1')): string {
  return `[${text}](${anchor(SECTIONS[section])})`;
}
