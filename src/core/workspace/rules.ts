// Cross-reference rules: what no single file's schema can know. Pure.
import type { Problem } from '../../errors.js';
import { didYouMean } from '../suggest.js';
import { splitModelRef } from '../lock/snapshots.js';
import { placeholders } from './template.js';
import { checkGovernanceAnswers } from './governance-answers.js';
import { problemAt, type SourceFile } from './source.js';
import type { Automation, Config, Prompt } from './schemas.js';
import { lockedPrices } from './rules-pricing.js';
import { outputSchemaProblems, type JsonSchemaCheck } from './rules-output-schema.js';
import { checkSuite } from './rules-suite.js';
import { failedToLoad, type Loaded, type Workspace } from './workspace.js';

export const BUILTIN_PROVIDERS = ['openai', 'anthropic'] as const;

/** What the rules need from outside the pure core, passed in. */
export interface RuleTools {
  /** Compiles a JSON Schema; without it, output schemas are not compiled. */
  checkJsonSchema?: JsonSchemaCheck;
}

export function crossCheck(ws: Workspace, tools: RuleTools = {}): Problem[] {
  const config = ws.config!;
  return [
    ...checkConfig(config),
    ...[...ws.prompts.values()].flatMap((p) => checkPrompt(p, config.value)),
    ...(tools.checkJsonSchema ? outputSchemaProblems(ws, tools.checkJsonSchema) : []),
    ...[...ws.suites.values()].flatMap((s) => checkSuite(ws, s)),
    ...lockedPrices(ws),
    ...[...ws.automations.values()].flatMap((a) => checkAutomation(ws, a)),
    ...[...ws.automations.values()].flatMap(checkGovernanceAnswers),
  ];
}

export function providerNames(config: Config): string[] {
  return [...new Set([...BUILTIN_PROVIDERS, ...Object.keys(config.providers ?? {})])];
}

function checkConfig({ value: c, source }: Loaded<Config>): Problem[] {
  const out: Problem[] = [];
  const known = providerNames(c);
  for (const [name, ref] of Object.entries(c.models)) {
    const { provider } = splitModelRef(ref);
    if (!known.includes(provider)) out.push(problemAt(source, ['models', name], `unknown provider "${provider}"`, { hint: didYouMean(provider, known) ?? `declare it under providers:` }));
  }
  for (const [name, p] of Object.entries(c.providers ?? {})) {
    const type = p.type ?? (BUILTIN_PROVIDERS as readonly string[]).find((b) => b === name);
    if (!type) out.push(problemAt(source, ['providers', name], `provider "${name}" needs a type: openai, anthropic or exec`, { key: true }));
    else if (type === 'exec' && !p.command) out.push(problemAt(source, ['providers', name], `exec provider "${name}" needs a command`, { hint: 'command: [node, scripts/model.mjs]' }));
    else if (type !== 'exec' && p.command) out.push(problemAt(source, ['providers', name, 'command'], `command is only for exec providers`));
  }
  if (c.store && /^postgres(ql)?:\/\/[^/@]*:[^/@]*@/.test(c.store)) {
    out.push(problemAt(source, ['store'], 'a password in the store URL would be committed to git', { hint: 'remove it and set PGPASSWORD in the environment or .env' }));
  }
  return out;
}

function checkPrompt({ value: p, source }: Loaded<Prompt>, config: Config): Problem[] {
  const out: Problem[] = [];
  if (!(p.model in config.models)) {
    out.push(problemAt(source, ['model'], `unknown model "${p.model}"`, { hint: didYouMean(p.model, Object.keys(config.models)) ?? 'declare it under models: in aigov.yaml' }));
  }
  const declared = Object.keys(p.vars);
  const used = new Set<string>();
  p.messages.forEach((m, i) => {
    for (const ph of placeholders(m.content)) {
      used.add(ph.name);
      if (declared.includes(ph.name)) continue;
      out.push({
        ...problemAt(source, ['messages', i, 'content'], `unknown variable "${ph.name}"`, { hint: didYouMean(ph.name, declared) ?? `declare it under vars:` }),
        ...placeholderPosition(source, ['messages', i, 'content'], ph.raw),
      });
    }
  });
  for (const name of declared) if (!used.has(name)) out.push(problemAt(source, ['vars', name], `variable "${name}" is declared but not used in any message`, { severity: 'warning', key: true }));
  if (p.output.type === 'text' && p.output.schema) out.push(problemAt(source, ['output', 'schema'], 'a schema needs output type json', { hint: 'set output.type: json' }));
  if (p.output.confidence.startsWith('field:') && p.output.type !== 'json') out.push(problemAt(source, ['output', 'confidence'], 'field confidence needs output type json'));
  return out;
}

/** The exact line and column of a placeholder inside a scalar, whatever its YAML style. */
function placeholderPosition(source: SourceFile, path: (string | number)[], raw: string): { line?: number; col?: number } {
  const node = source.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  if (!node?.range) return {};
  const at = source.text.slice(node.range[0], node.range[1]).indexOf(raw);
  if (at < 0) return {};
  const pos = source.lines.linePos(node.range[0] + at);
  return { line: pos.line, col: pos.col };
}

function checkAutomation(ws: Workspace, { value: a, source }: Loaded<Automation>): Problem[] {
  const out: Problem[] = [];
  if (!ws.prompts.has(a.prompt) && !failedToLoad(ws, 'prompts', a.prompt)) out.push(problemAt(source, ['prompt'], `unknown prompt "${a.prompt}"`, { hint: didYouMean(a.prompt, ws.prompts.keys()) }));
  a.evals.forEach((suite, i) => {
    const s = ws.suites.get(suite);
    if (!s) {
      if (!failedToLoad(ws, 'evals', suite)) out.push(problemAt(source, ['evals', i], `unknown eval suite "${suite}"`, { hint: didYouMean(suite, ws.suites.keys()) }));
    }
    else if (s.value.prompt !== a.prompt) out.push(problemAt(source, ['evals', i], `suite "${suite}" tests prompt "${s.value.prompt}", not this automation's prompt "${a.prompt}"`, { severity: 'warning' }));
  });
  if (a.tier === 2 && !a.reversal) out.push(problemAt(source, ['tier'], 'tier 2 acts reversibly: it needs a reversal: { window, command }'));
  if (a.confidence && ws.prompts.get(a.prompt)?.value.output.confidence === 'none') {
    out.push(problemAt(source, ['confidence'], `a confidence threshold is set but prompt "${a.prompt}" extracts no confidence (output.confidence: none): every run would go to review`, { severity: 'warning' }));
  }
  const missing = GOVERNANCE_ANSWERS.filter((k) => !a.governance?.[k]);
  if (missing.length) out.push(problemAt(source, a.governance ? ['governance'] : [], `governance answers missing: ${missing.join(', ')} (promotion requires them)`, { severity: 'warning' }));
  return out;
}

export const GOVERNANCE_ANSWERS = ['purpose', 'data', 'decisions', 'testing', 'monitoring', 'overrideProcess', 'limitations'] as const;
