// Which section of a governance page answers which duty. A mapping to help
// people find their way, not legal advice: the README and every page say so.
import { see } from './sections.js';

export interface Duty {
  framework: string;
  provision: string;
  duty: string;
  /** Markdown: where the page (and the run log it points to) answers it. */
  answeredBy: string;
}

export const DUTIES: readonly Duty[] = [
  {
    framework: 'EU AI Act',
    provision: 'Art. 12',
    duty: 'Record-keeping: events logged automatically over the lifetime of the system',
    answeredBy: `The run log: every run, review, action, reversal and tier change, hash-chained and checked by \`aigov log verify\` (${see('tested')})`,
  },
  {
    framework: 'EU AI Act',
    provision: 'Art. 13',
    duty: 'Transparency: what the system is for, how it performs, its limits, how to oversee it',
    answeredBy: `This page: ${see('does')} to ${see('override')}, ${see('limitations')}`,
  },
  {
    framework: 'EU AI Act',
    provision: 'Art. 14',
    duty: 'Human oversight: people can understand, override, reverse and stop it',
    answeredBy: `${see('decides')} and ${see('override')}: the review queue, override, reversal, stop`,
  },
  {
    framework: 'EU AI Act',
    provision: 'Art. 26',
    duty: 'Deployer duties: use as instructed, human oversight by named people, monitoring, keeping the logs for at least six months',
    answeredBy: `Owner and review cadence (${see('glance')}), ${see('tested')}; keep the run log for at least six months`,
  },
  {
    framework: 'EU AI Act',
    provision: 'Annex IV',
    duty: 'Technical documentation: the system, its versions, how it was tested',
    answeredBy: `Model pin, prompt version and hash (${see('glance')}); eval suites (${see('tested')})`,
  },
  {
    framework: 'ISO/IEC 42001',
    provision: 'Annex A (A.5)',
    duty: 'AI system impact assessment',
    answeredBy: `${see('data')}, ${see('decides')}, downstream systems (${see('glance')}), ${see('limitations')}`,
  },
  {
    framework: 'ISO/IEC 42001',
    provision: 'Annex A (A.6.2.4)',
    duty: 'Verification and validation',
    answeredBy: `Eval suites that gate every change (${see('tested')})`,
  },
  {
    framework: 'ISO/IEC 42001',
    provision: 'Annex A (A.6.2.8)',
    duty: 'Event logs of the AI system in use',
    answeredBy: `The run log (${see('tested')})`,
  },
  {
    framework: 'NIST AI RMF',
    provision: 'Govern',
    duty: 'Accountability: who answers for it, under which policy',
    answeredBy: `Owner, tier and who set it, review cadence (${see('glance')})`,
  },
  {
    framework: 'NIST AI RMF',
    provision: 'Map',
    duty: 'Context: purpose, data, what it affects, known limits',
    answeredBy: `${see('does')}, ${see('data')}, downstream systems (${see('glance')}), ${see('limitations')}`,
  },
  {
    framework: 'NIST AI RMF',
    provision: 'Measure',
    duty: 'Testing and tracking of performance and errors',
    answeredBy: `${see('tested')}: eval suites; error, override and low-confidence rates`,
  },
  {
    framework: 'NIST AI RMF',
    provision: 'Manage',
    duty: 'Responding to risks: oversight, correction, shutting it down',
    answeredBy: `${see('decides')}, ${see('override')}: review, override, reversal, demotion`,
  },
];

export const NOT_LEGAL_ADVICE = 'This is a mapping to help, not legal advice.';
